// What `npm run setup` says when it cannot go on: no Docker engine answering (installed or not),
// an unknown option. Each message says what is wrong and the command that fixes it on this OS.
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { run, runOk } from '../e2e/lib/exec.js';

const REPO = new URL('../../', import.meta.url).pathname;
const SETUP = join(REPO, 'build/setup.sh');
const onDebian =
  (await run('bash', ['-c', '. /etc/os-release && [[ " $ID $ID_LIKE " == *" debian "* ]]'])).code === 0;
const root = process.getuid?.() === 0;

/** A PATH holding only the given commands (as found on this machine). */
async function pathWith(t: Test, commands: string[]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'dvol-path-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const cmd of commands) symlinkSync(await runOk('bash', ['-c', `command -v ${cmd}`]), join(dir, cmd));
  return dir;
}

const BASICS = ['bash', 'node', 'id', 'seq', 'sleep', 'dirname'];

t.test('an unknown option is a usage error', async (t) => {
  const r = await run('bash', [SETUP, '--frobnicate']);
  t.equal(r.code, 2, 'exit status 2');
  t.match(r.stderr, "npm run setup: unknown option '--frobnicate'");
  t.match(r.stderr, /usage: npm run setup/);
});

t.test(
  'docker installed, no engine answering: how to start it',
  { skip: !root && 'needs root' },
  async (t) => {
    const r = await run('bash', [SETUP], {
      env: { ...process.env, DOCKER_HOST: 'unix:///nonexistent/docker.sock' },
    });
    t.equal(r.code, 1, 'exit status 1');
    t.match(r.stderr, 'no Docker engine is reachable: docker is installed but not running');
    t.match(r.stderr, /hint: start it with '(sudo systemctl start docker|sudo dockerd .*&)'/);
  },
);

t.test(
  'no docker at all on Debian: --install-docker is offered',
  { skip: (!root && 'needs root') || (!onDebian && 'not a Debian or Ubuntu machine') },
  async (t) => {
    const PATH = await pathWith(t, [...BASICS, 'apt-get']);
    const r = await run('bash', [SETUP], { env: { PATH, HOME: '/root' } });
    t.equal(r.code, 1, 'exit status 1');
    t.match(r.stderr, 'no Docker engine is reachable: Docker is not installed');
    t.match(
      r.stderr,
      "hint: 'sudo npm run setup -- --install-docker' installs Debian's docker.io with apt-get",
    );
  },
);

t.test('no docker and no apt: where to get Docker Engine', { skip: !root && 'needs root' }, async (t) => {
  const PATH = await pathWith(t, BASICS);
  const r = await run('bash', [SETUP], { env: { PATH, HOME: '/root' } });
  t.equal(r.code, 1, 'exit status 1');
  t.match(r.stderr, 'no Docker engine is reachable: Docker is not installed');
  t.match(r.stderr, 'https://docs.docker.com/engine/install/');
});
