import { readFile, writeFile } from 'node:fs/promises';
import t from 'tap';
import { commands } from './commands/index.js';
import { renderHelp, renderMainHelp, wrap } from './help.js';

const docsDir = new URL('../../docs/commands/', import.meta.url);

/** The man page of docs/commands/<verb>.md: the --help text, so the two never drift apart. */
function markdownPage(name: string, help: string): string {
  return [
    `# dvol-${name}(1)`,
    '',
    `<!-- The text of 'dvol ${name} --help'; src/cli/help.test.ts checks it (UPDATE_DOCS=1 rewrites it). -->`,
    '',
    '```text',
    help.trimEnd(),
    '```',
    '',
  ].join('\n');
}

t.test('every verb has a man page with the five sections', async (t) => {
  for (const cmd of commands) {
    const help = renderHelp(cmd);
    const sections = help.split('\n').filter((l) => /^[A-Z][A-Z ]+$/.test(l));
    t.same(sections, ['NAME', 'SYNOPSIS', 'DESCRIPTION', 'OPTIONS', 'EXIT STATUS'], cmd.name);
    t.match(help, new RegExp(`^NAME\\n    dvol-${cmd.name}\\b`), `${cmd.name}: NAME line`);
    t.match(help, /-h, --help {2,}Show this help\./, `${cmd.name}: --help listed`);
    t.match(help, /\n {4}5 {2}the dvol plugin cannot be reached/, `${cmd.name}: exit 5 documented`);
    t.equal(help.includes('--json'), cmd.json === true, `${cmd.name}: --json exactly on read commands`);
    const long = help.split('\n').filter((l) => l.length > 100);
    t.same(long, [], `${cmd.name}: no line wider than 100 columns`);
  }
});

t.test('options are aligned in one column', async (t) => {
  const help = renderHelp(commands.find((c) => c.name === 'branch')!);
  const options = help.split('OPTIONS\n')[1]!.split('\n\n')[0]!.split('\n');
  const starts = options.map((l) => l.search(/ {2}[A-Z]/));
  t.ok(
    starts.every((s) => s === starts[0]),
    'descriptions start at the same column',
  );
});

t.test('dvol --help lists every command and alias like the launch post', async (t) => {
  const help = renderMainHelp(commands);
  t.match(help, /^Usage: dvol /);
  for (const cmd of commands)
    t.match(help, new RegExp(`\\n {4}${cmd.name} +${cmd.summary.replace(/[()]/g, '.')}`));
  t.match(help, /\n {4}ls +Same as 'list'\n/);
  t.match(help, /\n {4}init +Create a volume and its default master branch, then switch to it\n/);
});

t.test('wrap keeps words whole within the width', async (t) => {
  t.equal(wrap('aaa bbb ccc', '  ', 9), '  aaa bbb\n  ccc');
  t.equal(wrap('', '  '), '');
});

t.test('docs/commands has the man page of every verb', async (t) => {
  for (const cmd of commands) {
    const page = markdownPage(cmd.name, renderHelp(cmd));
    const file = new URL(`${cmd.name}.md`, docsDir);
    if (process.env.UPDATE_DOCS === '1') await writeFile(file, page);
    const text = await readFile(file, 'utf8').catch(() => '');
    t.equal(
      text,
      page,
      `docs/commands/${cmd.name}.md is current (UPDATE_DOCS=1 npx tap ${'src/cli/help.test.ts'})`,
    );
  }
});
