// Renders help: a man page per verb (NAME, SYNOPSIS, DESCRIPTION, OPTIONS, EXIT STATUS) and `dvol --help`.

import { allOptions } from './args.js';
import type { Command, OptionSpec } from './command.js';
import { table } from './format.js';

const INDENT = '    ';
const WIDTH = 80;

/** Word-wraps one paragraph to WIDTH columns with `indent` before every line. */
export function wrap(text: string, indent = INDENT, width = WIDTH): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && indent.length + line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines.map((l) => indent + l).join('\n');
}

/** `-m, --message=MESSAGE` style flags of an option. */
export function flagsOf(o: OptionSpec): string {
  const long = `--${o.long}${o.value ? `=${o.value}` : ''}`;
  return o.short ? `-${o.short}, ${long}` : `    ${long}`;
}

/** The exit statuses every verb shares, as in docs/api.md. */
export const EXIT_STATUS: [string, string][] = [
  ['0', 'success'],
  ['1', 'other failure: corrupt store, disk full, unsupported, internal error'],
  ['2', 'usage error or invalid input (bad name, ref or option)'],
  ['3', 'no such volume, branch, tag, commit or ref, or no active volume'],
  ['4', 'conflict: uncommitted changes, in use, already exists, would lose commits, locked'],
  ['5', 'the dvol plugin cannot be reached (not installed, disabled, not running) or open its store'],
];

function indentBlock(text: string): string {
  return text
    .split('\n')
    .map((l) => (l ? INDENT + l : l))
    .join('\n');
}

/** The man-page help of one verb. */
export function renderHelp(cmd: Command): string {
  const names = [cmd.name, ...(cmd.aliases ?? [])].map((n) => `dvol-${n}`).join(', ');
  const options = table(allOptions(cmd).map((o) => [flagsOf(o), o.description]));
  const exits = table([...EXIT_STATUS, ...(cmd.exitNotes ?? []).map((n) => n.split(/\s{2,}/, 2))]);
  return [
    'NAME',
    `${INDENT}${names} - ${cmd.summary}`,
    '',
    'SYNOPSIS',
    ...cmd.synopsis.map((s) => `${INDENT}dvol ${s}`),
    '',
    'DESCRIPTION',
    cmd.description
      .split(/\n\s*\n/)
      .map((p) => wrap(p))
      .join('\n\n'),
    '',
    'OPTIONS',
    indentBlock(options.trimEnd()),
    '',
    'EXIT STATUS',
    indentBlock(exits.trimEnd()),
    '',
  ].join('\n');
}

/** `dvol --help`: usage, global options and one line per command, as the launch post shows it. */
export function renderMainHelp(commands: Command[]): string {
  const rows = commands.flatMap((c) => [
    [c.name, c.summary],
    ...(c.aliases ?? []).map((a) => [a, `Same as '${c.name}'`]),
  ]);
  return [
    'Usage: dvol [options] <command> [arguments] [VOLUME]',
    'Options:',
    '  -h, --help     Display this help and exit.',
    '      --version  Display the dvol CLI and plugin versions and exit.',
    'Commands:',
    indentBlock(table(rows).trimEnd()),
    '',
    'Commands acting on a volume take its name as the last argument; without it they act on the active',
    "volume, set by 'dvol init' and 'dvol switch'. Run 'dvol <command> --help' for a command's manual.",
    'Environment: DVOL_SOCKET (the plugin socket to use), DVOL_PLUGIN (the managed plugin, default dvol),',
    '  NO_COLOR, XDG_CONFIG_HOME.',
    '',
  ].join('\n');
}
