// Parses a verb's argv against its option specs with zx's minimist; unknown options are usage errors.

import { minimist } from 'zx';
import type { Command, OptionSpec, Parsed } from './command.js';
import { usageError } from './errors.js';

/** The options every verb takes (the read ones also --json), appended to its own. */
export function allOptions(cmd: Command): OptionSpec[] {
  const common: OptionSpec[] = [];
  if (cmd.json) common.push({ long: 'json', description: 'Print the result as JSON.' });
  common.push({ long: 'help', short: 'h', description: 'Show this help.' });
  return [...cmd.options, ...common];
}

/** Parses `argv` (the words after the verb) for `cmd`; throws a usage error (exit 2) on a bad line. */
export function parseArgs(cmd: Command, argv: string[]): Parsed {
  const specs = allOptions(cmd);
  const strings = specs.filter((o) => o.value).map((o) => o.long);
  const alias: Record<string, string> = {};
  for (const o of specs) if (o.short) alias[o.short] = o.long;
  const known = new Set(specs.flatMap((o) => (o.short ? [o.long, o.short] : [o.long])));
  let unknown: string | undefined;
  const raw = minimist(argv, {
    string: strings,
    boolean: specs.filter((o) => !o.value).map((o) => o.long),
    alias,
    '--': false,
    unknown: (arg: string) => {
      if (!arg.startsWith('-') || arg === '-') return true;
      unknown ??= arg;
      return false;
    },
  });
  if (unknown) throw usageError(`unknown option '${unknown}' for 'dvol ${cmd.name}'`, cmd.name);
  const opts: Parsed['opts'] = {};
  for (const o of specs) {
    const value = raw[o.long] as string | boolean | string[] | undefined;
    if (Array.isArray(value) && !o.repeat) {
      throw usageError(`option '--${o.long}' given more than once`, cmd.name);
    }
    if (o.value && value === '') throw usageError(`option '--${o.long}' needs a ${o.value}`, cmd.name);
    opts[o.long] = o.repeat && typeof value === 'string' ? [value] : value;
  }
  for (const key of Object.keys(raw)) {
    if (key !== '_' && !known.has(key)) throw usageError(`unknown option '--${key}'`, cmd.name);
  }
  const positionals = raw._.map(String);
  if (opts.help) return { opts, positionals, json: false };
  const [min, max] = cmd.arity;
  if (positionals.length < min) throw usageError(`'dvol ${cmd.name}' needs more arguments`, cmd.name);
  if (positionals.length > max) {
    throw usageError(
      `too many arguments for 'dvol ${cmd.name}': '${positionals.slice(max).join(' ')}'`,
      cmd.name,
    );
  }
  return { opts, positionals, json: opts.json === true };
}
