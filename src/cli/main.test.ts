import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { commands } from './commands/index.js';
import { renderHelp } from './help.js';
import { captureIo, deadSocket } from './io.testkit.js';
import { main } from './main.js';

t.test('importing main runs nothing (it only runs as the entry point)', async (t) => {
  t.equal(process.exitCode ?? 0, 0);
});

t.test('--help and -h on every verb print its man page and exit 0', async (t) => {
  for (const cmd of commands) {
    for (const flag of ['--help', '-h']) {
      const cap = captureIo();
      t.equal(await main([cmd.name, flag], cap.io), 0, `${cmd.name} ${flag}`);
      t.equal(cap.out(), renderHelp(cmd));
    }
  }
  const cap = captureIo();
  t.equal(await main(['help', 'log'], cap.io), 0);
  t.match(cap.out(), /^NAME\n {4}dvol-log /);
});

t.test('dvol --help, and dvol alone (usage, exit 2)', async (t) => {
  const help = captureIo();
  t.equal(await main(['--help'], help.io), 0);
  t.match(help.out(), /^Usage: dvol [^]*Commands:\n {4}list +List all dvol volumes\n {4}ls +Same as 'list'/);
  const bare = captureIo();
  t.equal(await main([], bare.io), 2);
  t.equal(bare.out(), help.out());
});

t.test('usage errors: one sentence, a hint, exit 2', async (t) => {
  const cases: [string[], string][] = [
    [['frobnicate'], "dvol: 'frobnicate' is not a dvol command\nhint: see 'dvol --help'\n"],
    [['--frob'], "dvol: unknown option '--frob'\nhint: see 'dvol --help'\n"],
    [
      ['commit', 'vol'],
      'dvol: a commit message is required: dvol commit -m "<message>"\nhint: see \'dvol commit --help\'\n',
    ],
    [['reset', '--hard'], "dvol: 'dvol reset' needs more arguments\nhint: see 'dvol reset --help'\n"],
    [
      ['config', 'user.age'],
      "dvol: unknown setting 'user.age': dvol knows user.name and user.email\nhint: see 'dvol config --help'\n",
    ],
    [['rm', 'db'], "dvol: refusing to destroy volume 'db' without confirmation\nhint: dvol rm -f db\n"],
    [['log', '-n', 'x', 'db'], "dvol: COUNT must be a whole number\nhint: see 'dvol log --help'\n"],
  ];
  for (const [argv, stderr] of cases) {
    const cap = captureIo();
    t.equal(await main(argv, cap.io), 2, argv.join(' '));
    t.equal(cap.err(), stderr);
    t.equal(cap.out(), '', 'nothing on stdout');
  }
});

t.test('an unreachable plugin is exit 5 with a clear sentence', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'dvol-main-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const missing = captureIo({ env: { DVOL_SOCKET: join(dir, 'none.sock') } });
  t.equal(await main(['list'], missing.io), 5);
  t.equal(
    missing.err(),
    `dvol: cannot reach the dvol plugin at ${join(dir, 'none.sock')} (ENOENT)\n` +
      "hint: check that the plugin is enabled with 'docker plugin ls', or set DVOL_SOCKET to its socket\n",
  );
  // A socket file nobody listens on: what a crashed plugin leaves behind.
  const dead = join(dir, 'dead.sock');
  deadSocket(dead);
  const refused = captureIo({ env: { DVOL_SOCKET: dead } });
  t.equal(await main(['log', 'db'], refused.io), 5);
  t.match(refused.err(), /^dvol: cannot reach the dvol plugin at .*dead\.sock \(ECONNREFUSED\)\n/);
  const version = captureIo({ env: { DVOL_SOCKET: dead } });
  t.equal(await main(['--version'], version.io), 5);
  t.match(version.out(), /^dvol CLI \d+\.\d+\.\d+ \(API 1\.0\)\n$/, 'the CLI version is still shown');
});

t.test('as a program: exit status set, stdout and stderr separate', async (t) => {
  const script = fileURLToPath(new URL('main.ts', import.meta.url));
  const run = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', script, ...args], (err, stdout, stderr) =>
        resolve({ code: err ? Number(err.code) : 0, stdout, stderr }),
      );
    });
  const ok = await run(['switch', '--help']);
  t.equal(ok.code, 0);
  t.match(ok.stdout, /^NAME\n {4}dvol-switch - /);
  const bad = await run(['init']);
  t.equal(bad.code, 2);
  t.equal(bad.stderr, "dvol: 'dvol init' needs more arguments\nhint: see 'dvol init --help'\n");
});
