// Every error of the core reachable from the CLI, against the installed plugin and as a non-root
// docker-group user: one sentence on stderr (`dvol: ...`, maybe `hint: ...`), nothing on stdout, the
// exit status of docs/api.md, and `dvol fsck` clean after each.
import t, { type Test } from 'tap';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { docker, run, runOk } from './lib/exec.js';
import { busyboxImage } from './lib/images.js';
import { uniqueName } from './lib/names.js';
import { waitForPlugin } from './lib/plugin.js';
import { runDetached, runOnce } from './lib/resources.js';
import { SLEEP_UNTIL_STOPPED } from './lib/volumes.js';
import { deadSocket } from '../../src/cli/io.testkit.js';
import { dockerGroupUser, dvol, dvolOk, dvolWith, fsckClean, setAuthor } from './fixtures/dvol.js';

const image = await busyboxImage();
await waitForPlugin();

/** Asserts a failure: the exit status, one `dvol:` sentence matching `message`, an optional hint. */
async function fails(
  t: Test,
  argv: string[],
  status: number,
  message: RegExp,
  env: Record<string, string> = {},
) {
  const r = await dvolWith(env, ...argv);
  t.equal(r.code, status, `dvol ${argv.join(' ')}: exit ${status}`);
  t.match(
    r.stderr,
    /^dvol: [^\n]+\n(hint: [^\n]+\n)?$/,
    `one sentence and a hint at most: ${r.stderr.trim()}`,
  );
  t.match(r.stderr.split('\n')[0], message);
  t.equal(r.stdout, '', 'nothing on stdout');
}

t.test('core errors through the CLI', async (t) => {
  await dockerGroupUser(t);
  await setAuthor(t);
  const volume = uniqueName('errs');
  t.teardown(async () => {
    await dvol('rm', '-f', volume);
  });
  await dvolOk(t, 'init', volume);
  const write = (text: string) =>
    runOnce(['-v', `${volume}:/data`, '--volume-driver=dvol', image, 'sh', '-c', `echo ${text} > /data/f`]);
  await write('one');
  await dvolOk(t, 'commit', '-m', 'one', volume);

  await fails(t, ['log', 'no_such_volume'], 3, /^dvol: volume 'no_such_volume' does not exist$/);
  await fails(t, ['init', volume], 4, new RegExp(`^dvol: volume '${volume}' already exists$`));
  await fails(t, ['init', 'HybridCP/mysql'], 2, /^dvol: invalid volume name 'HybridCP\/mysql'/);
  await fails(t, ['reset', 'HEAD', volume], 4, /--hard/);
  await fails(t, ['reset', '--hard', 'no-such-ref', volume], 3, /no-such-ref/);
  await fails(t, ['checkout', 'no-such-branch', volume], 3, /^dvol: branch 'no-such-branch' does not exist/);
  await fails(t, ['branch', '-d', 'master', volume], 4, /active branch/);
  await fails(t, ['tag', '-d', 'no-such-tag', volume], 3, /no-such-tag/);
  await fails(t, ['frobnicate'], 2, /^dvol: 'frobnicate' is not a dvol command$/);
  await fsckClean(t, 'after the refusals');

  // A branch whose commits nothing else references: -d refuses, -D deletes.
  await dvolOk(t, 'checkout', '-b', 'feature', volume);
  await write('two');
  await dvolOk(t, 'commit', '-m', 'two', volume);
  await dvolOk(t, 'checkout', 'master', volume);
  await fails(t, ['branch', '-d', 'feature', volume], 4, /feature/);
  t.equal(
    await dvolOk(t, 'branch', '-D', 'feature', volume),
    `Deleted branch feature of ${volume} (1 commit deleted).\n`,
  );
  await dvolOk(t, 'tag', 'v1', 'HEAD', volume);
  await fails(t, ['tag', 'v1', 'HEAD', volume], 4, /v1/);
  await fsckClean(t, 'after branch -D and tags');

  // Dirty, then in use: rm while a container has the volume mounted.
  await write('dirty');
  await fails(t, ['checkout', '-b', 'other', volume], 4, /has uncommitted changes/);
  await runDetached(t, ['-v', `${volume}:/data`, '--volume-driver=dvol', image, ...SLEEP_UNTIL_STOPPED]);
  await fails(t, ['rm', '-f', volume], 4, /./);
  await fsckClean(t, 'after the in-use refusal');
});

t.test('an unreachable plugin is exit 5 with what to do', async (t) => {
  await dockerGroupUser(t);
  await fails(t, ['list'], 5, /^dvol: the dvol plugin is not installed/, {
    DVOL_PLUGIN: 'dvol-no-such-plugin',
  });
  // Under /tmp itself, not $TMPDIR: CI's TMPDIR is private to root, and the user must reach the socket.
  const dir = mkdtempSync('/tmp/dvol-dead-');
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  chmodSync(dir, 0o755);
  const dead = join(dir, 'dead.sock');
  // A socket file nobody listens on, as a crashed plugin leaves behind, writable by the user.
  deadSocket(dead);
  chmodSync(dead, 0o666);
  await fails(t, ['log', 'x'], 5, /^dvol: cannot reach the dvol plugin at .*dead\.sock \(ECONNREFUSED\)$/, {
    DVOL_SOCKET: dead,
  });
});

t.test('a disabled plugin: one sentence and the command that enables it', async (t) => {
  await dockerGroupUser(t);
  const name = uniqueName('dvol-cli-disabled');
  // A real plugin that is never enabled: `docker plugin create` leaves it disabled. Its rootfs is
  // empty (it never runs); a copy of the dvol plugin's own layers is refused by Docker 20.10
  // ("content ... already exists").
  const dir = t.testdir({ rootfs: {} });
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({
      description: 'dvol CLI e2e: a plugin that stays disabled',
      entrypoint: ['/never-run'],
      interface: { socket: 'dvol.sock', types: ['docker.volumedriver/1.0'] },
    }),
  );
  t.teardown(async () => {
    await run('docker', ['plugin', 'rm', '-f', name]);
  });
  await runOk('docker', ['plugin', 'create', name, dir]);
  t.equal(await docker('plugin', 'inspect', '-f', '{{.Enabled}}', name), 'false');
  await fails(t, ['list'], 5, new RegExp(`^dvol: the dvol plugin '${name}' is installed but disabled$`), {
    DVOL_PLUGIN: name,
  });
  const r = await dvolWith({ DVOL_PLUGIN: name }, 'list');
  t.equal(r.stderr.split('\n')[1], `hint: docker plugin enable ${name}`);
});
