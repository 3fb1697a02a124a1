// `npm run setup` in a fresh clone on a bare machine, then dvol: a Debian 13 container (the local
// base image: Node 20, apt, no rsync, no debootstrap) given the host's Docker engine and npm, with
// no base image cached, no registry reachable and no DVOL_ variable. The set-up must fall back to
// debootstrap (installed through apt) without being told, and dvol must then work on a volume.
import { mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import t, { type Test } from 'tap';
import { run, runOk } from '../e2e/lib/exec.js';

const REPO = new URL('../../', import.meta.url).pathname;
const LOCAL = 'dvol-base:trixie';
const PUBLIC = 'debian:trixie-slim';
// What build/plugin.sh tags the plugin's image: the set-up builds it on the base it makes.
const ROOTFS = 'dvol-plugin-rootfs:dev';
const NAME = `dvol-setup-test-${process.pid}`;
// Where build/base-image.sh keeps the Debian packages its debootstrap downloads. The "machine" is
// given the host's: CI measures the set-up's logic, not Debian's mirror (the host filled it when
// it made its own base image). A user's first set-up starts with an empty one, as this test's
// first run on a fresh machine does: see docs/benchmarks.md for both times.
const DEBOOTSTRAP_CACHE = '/var/cache/dvol/debootstrap';

const imageId = async (ref: string) => {
  const r = await run('docker', ['image', 'inspect', '-f', '{{.Id}}', ref]);
  return r.code === 0 ? r.stdout.trim() : undefined;
};

// While hidden, an image keeps a second tag of this name: `docker rmi` of an image's only tag
// deletes the image, and the base image is what the e2e tier and other tests build on. A run
// killed before its teardown leaves that tag: the next run tags the image back first.
const KEEP = 'dvol-setup-test-hidden';
const keepTag = (ref: string) => `${KEEP}/${ref.replace(/[:/]/g, '-')}:${process.pid}`;

/** Tags back what a killed earlier run hid, and drops the keeper tags it left. */
async function unhideLeftovers(ref: string): Promise<void> {
  const repo = `${KEEP}/${ref.replace(/[:/]/g, '-')}`;
  const left = (await runOk('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}', repo]))
    .split('\n')
    .filter(Boolean);
  for (const tag of left) {
    if ((await imageId(ref)) === undefined) await runOk('docker', ['tag', tag, ref]);
    await runOk('docker', ['rmi', tag]);
  }
}

/**
 * Untags `ref` for the test (a bare machine has no base image) and tags it back at teardown. The
 * base the set-up makes instead goes then, with what it built on it (`builtOn`, when re-tagged).
 */
async function hideImage(t: Test, ref: string, builtOn: string[] = []): Promise<void> {
  const id = await imageId(ref);
  if (id === undefined) return;
  const before = await Promise.all(builtOn.map(async (b) => [b, await imageId(b)] as const));
  const keep = keepTag(ref);
  await runOk('docker', ['tag', id, keep]);
  t.teardown(async () => {
    const made = await imageId(ref);
    await runOk('docker', ['tag', id, ref]);
    await runOk('docker', ['rmi', keep]);
    if (made === undefined || made === id) return;
    for (const [b, was] of before) if ((await imageId(b)) !== was) await run('docker', ['rmi', b]);
    await run('docker', ['rmi', made]);
  });
  await runOk('docker', ['rmi', ref]);
}

// A machine that reaches a registry cannot show the fallback; the probe's pull is undone, never a
// copy of the public image that was there before.
const hadPublic = (await imageId(PUBLIC)) !== undefined;
const pull = await run('docker', ['pull', '-q', PUBLIC], { timeout: 60_000 });
const skip =
  pull.code === 0
    ? `a registry answered (pulled ${PUBLIC}): the no-registry fallback cannot be exercised here`
    : false;
if (pull.code === 0 && !hadPublic) await run('docker', ['rmi', PUBLIC]);

t.test(
  'npm run setup on a bare machine, then dvol init, commit, diff',
  { skip, timeout: 1_200_000 },
  async (t) => {
    // The "machine" is a container from the local base image, by id: its tag is removed below.
    await unhideLeftovers(PUBLIC);
    await unhideLeftovers(LOCAL);
    // A first CI run has none yet: made here with the host's tools, as the e2e tier would.
    if ((await imageId(LOCAL)) === undefined) {
      await runOk('bash', ['build/base-image.sh'], { cwd: REPO, timeout: 900_000 });
    }
    const machine = (await imageId(LOCAL)) as string;
    await hideImage(t, PUBLIC);
    await hideImage(t, LOCAL, [ROOTFS]);
    t.equal(await imageId(LOCAL), undefined, 'no base image is cached');
    t.equal(await imageId(PUBLIC), undefined, 'nor the public one');

    const dir = mkdtempSync(join(tmpdir(), 'dvol-setup-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const clone = join(dir, 'dvol');
    await runOk('git', ['clone', '-q', '--no-hardlinks', REPO, clone]);
    await runOk('git', [
      '-C',
      clone,
      'checkout',
      '-q',
      await runOk('git', ['-C', REPO, 'rev-parse', 'HEAD']),
    ]);

    const npm = dirname(dirname(realpathSync(await runOk('bash', ['-c', 'command -v npm']))));
    const dockerBin = realpathSync(await runOk('bash', ['-c', 'command -v docker']));
    // The CLI finds the plugin's socket in its state directory (or under /run/docker/plugins).
    const state =
      (
        await run('docker', [
          'plugin',
          'inspect',
          '-f',
          '{{range .Settings.Mounts}}{{if eq .Name "state"}}{{.Source}}{{end}}{{end}}',
          'dvol',
        ])
      ).stdout.trim() || '/var/lib/dvol';
    mkdirSync(DEBOOTSTRAP_CACHE, { recursive: true });
    const rootfsBefore = await imageId(ROOTFS);
    t.teardown(() => run('docker', ['rm', '-f', NAME]));
    const r = await run(
      'docker',
      [
        'run',
        '--rm',
        '--name',
        NAME,
        '--label',
        'dvol-e2e',
        // debootstrap mounts /proc in its chroot: CAP_SYS_ADMIN, without seccomp's and AppArmor's mount
        // filter (--privileged asks for capabilities this host may not have).
        '--cap-add',
        'SYS_ADMIN',
        '--security-opt',
        'seccomp=unconfined',
        '--security-opt',
        'apparmor=unconfined',
        '--network',
        'host',
        '-v',
        '/var/run/docker.sock:/var/run/docker.sock',
        '-v',
        `${dockerBin}:/usr/bin/docker:ro`,
        '-v',
        `${npm}:/usr/lib/node_modules/npm:ro`,
        '-v',
        `${process.env.HOME ?? '/root'}/.npm:/root/.npm`,
        '-v',
        `${DEBOOTSTRAP_CACHE}:${DEBOOTSTRAP_CACHE}`,
        '-v',
        `${dir}:${dir}`,
        '-v',
        `${state}:${state}`,
        '-v',
        '/run/docker/plugins:/run/docker/plugins',
        '-e',
        'HOME=/root',
        machine,
        'bash',
        '-c',
        `ln -s /usr/lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm && exec bash ${clone}/test/setup/new-user.sh ${clone}`,
      ],
      { timeout: 1_080_000 },
    );
    const out = r.stdout + r.stderr;
    t.comment(
      out
        .split('\n')
        .filter((l) => l.startsWith('## '))
        .join('\n'),
    );
    t.equal(r.code, 0, `the new user's session succeeds${r.code ? `:\n${out.slice(-3000)}` : ''}`);
    t.match(out, '## bare: no rsync, no debootstrap, no DVOL_ variable', 'the machine was bare');
    t.match(out, `no registry answered`, 'the set-up found no registry');
    t.match(out, /installing debootstrap with apt-get/, 'and installed debootstrap, saying so');
    t.match(out, `made base image ${LOCAL}`, 'and made the base image locally');
    t.match(out, /plugin dvol:latest is enabled/, 'the plugin is installed');
    t.match(out, /\[newuser\d+ [0-9a-f]{7}\] hello/, 'dvol commit');
    t.match(
      out,
      /## dvol diff\n8B has changed between "hello" and latest uncommitted changes/,
      'diff counts the rewritten bytes',
    );
    t.match(out, /M +0B +file +\(content, mtime\)/, 'diff -v says content');
    t.notMatch(out, /rsync: command not found/, 'no rsync was needed');
    if (rootfsBefore !== undefined) {
      const left = await imageId(rootfsBefore);
      t.equal(left, undefined, 'the plugin image the set-up replaced is not left behind');
    }
  },
);
