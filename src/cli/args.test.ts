import t from 'tap';
import { parseArgs } from './args.js';
import { findCommand } from './commands/index.js';
import { CliError } from './errors.js';

const cmd = (name: string) => {
  const c = findCommand(name);
  if (!c) throw new Error(`no command ${name}`);
  return c;
};

t.test('options and positionals', async (t) => {
  const commit = parseArgs(cmd('commit'), ['-m', 'import base schema', 'HybridCP_mysql']);
  t.same(commit.opts.message, ['import base schema'], 'repeatable options are lists');
  t.same(commit.positionals, ['HybridCP_mysql']);
  t.same(parseArgs(cmd('commit'), ['--message=a', '-m', 'b']).opts.message, ['a', 'b']);
  const co = parseArgs(cmd('checkout'), ['-b', 'schema-tweaks']);
  t.equal(co.opts.branch, true, '-b is a flag, not a value');
  t.same(co.positionals, ['schema-tweaks']);
  const reset = parseArgs(cmd('reset'), ['--hard', 'HEAD', 'HybridCP_mysql']);
  t.equal(reset.opts.hard, true);
  t.same(reset.positionals, ['HEAD', 'HybridCP_mysql']);
  t.equal(parseArgs(cmd('log'), ['--json']).json, true);
  t.same(parseArgs(cmd('branch'), ['-dD', 'old']).opts, {
    delete: true,
    force: true,
    remotes: false,
    json: false,
    help: false,
  });
  t.same(
    parseArgs(cmd('reset'), ['--hard', 'HEAD~1']).positionals,
    ['HEAD~1'],
    'refs with ~ and ^ pass through',
  );
  t.same(parseArgs(cmd('commit'), ['--message=-dashed message']).opts.message, ['-dashed message']);
  t.same(parseArgs(cmd('init'), ['007']).positionals, ['007'], 'names that look like numbers stay as typed');
  t.same(
    parseArgs(cmd('commit'), ['-mfix', '-m', '-x']).opts.message,
    ['fix', '-x'],
    'glued and dashed values',
  );
});

t.test('usage errors are CliErrors with code invalid and a pointer to the help', async (t) => {
  const bad: [string, string[], RegExp][] = [
    ['commit', ['-x'], /unknown option '-x'/],
    ['commit', ['--bogus'], /unknown option '--bogus'/],
    ['log', ['--json=1', 'a', 'b'], /option '--json' takes no value/],
    ['init', [], /needs more arguments/],
    ['init', ['a', 'b'], /too many arguments for 'dvol init': 'b'/],
    ['commit', ['-m'], /needs a MESSAGE/],
    ['log', ['--max-count', '1', '--max-count', '2'], /given more than once/],
    ['list', ['--json', 'extra'], /too many arguments/],
  ];
  for (const [name, argv, message] of bad) {
    t.throws(
      () => parseArgs(cmd(name), argv),
      { name: 'CliError', code: 'invalid', message },
      argv.join(' '),
    );
  }
  try {
    parseArgs(cmd('tag'), ['-x']);
  } catch (err) {
    t.equal((err as CliError).hint, "see 'dvol tag --help'");
  }
});

t.test('--help short-circuits arity checks', async (t) => {
  t.equal(parseArgs(cmd('init'), ['--help']).opts.help, true);
  t.equal(parseArgs(cmd('reset'), ['-h']).opts.help, true);
});

t.test('--json only on read commands', async (t) => {
  for (const name of ['list', 'log', 'branch', 'tag', 'config', 'fsck', 'version']) {
    t.equal(parseArgs(cmd(name), ['--json']).json, true, name);
  }
  for (const name of ['commit', 'reset', 'rm', 'switch', 'init', 'checkout']) {
    t.throws(() => parseArgs(cmd(name), ['--json', 'x', 'y']), { code: 'invalid' }, name);
  }
});
