// Remotes against the installed plugin: a volume written by containers is pushed to a real
// docker-registry on loopback (the plugin has host networking), cloned into a new volume with the
// same ids and the same files as a container sees them, then pulled into while a container uses
// it (stopped and started like reset). Both volumes are removed at the end, even on failure.
import t, { type Test } from 'tap';
import { docker } from './lib/exec.js';
import { busyboxImage } from './lib/images.js';
import { uniqueName } from './lib/names.js';
import { waitForPlugin } from './lib/plugin.js';
import { startRegistry } from './lib/registry.js';
import { runDetached, runOnce } from './lib/resources.js';
import { containerFile, dockerGroupUser, dvol, dvolOk, fsckClean, setAuthor } from './fixtures/dvol.js';

const image = await busyboxImage();
await waitForPlugin();

/** A transfer: exit 0, its summary on stdout, only progress lines on stderr (not a terminal). */
async function transferOk(t: Test, ...args: string[]): Promise<string> {
  const r = await dvol(...args);
  t.equal(r.code, 0, `dvol ${args.join(' ')} exits 0${r.code ? `: ${r.stderr.trim()}` : ''}`);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  t.ok(
    lines.every((l) => /^\S+: (sending commit|stored a pack|receiving commit) /.test(l)),
    `dvol ${args.join(' ')}: only progress lines on stderr`,
  );
  return r.stdout;
}

function busybox(volume: string, script: string): Promise<string> {
  return runOnce(['-v', `${volume}:/data`, '--volume-driver=dvol', image, 'sh', '-c', script]);
}

/** Every entry as a container sees it: type, mode, owner, size, link target, content hash. */
const LISTING =
  'cd /data && find . | sort | while read -r p; do ' +
  'if [ -f "$p" ] && [ ! -L "$p" ]; then h=$(sha256sum "$p" | cut -c1-16); else h=-; fi; ' +
  'echo "$(stat -c "%A %u:%g %s %N" "$p") $h"; done';

t.test('push, clone with the same ids and files, pull into a volume a container uses', async (t) => {
  await dockerGroupUser(t);
  await setAuthor(t);
  const registry = await startRegistry(t);
  const source = uniqueName('shop_db');
  const copy = uniqueName('shop_copy');
  t.teardown(async () => {
    await dvol('rm', '-f', source);
    await dvol('rm', '-f', copy);
  });
  const url = `${registry}/e2e/${source.toLowerCase().replace(/[^a-z0-9]/g, '')}`;
  await dvolOk(t, 'init', source);
  await busybox(
    source,
    'mkdir -p /data/pg && head -c 3000000 /dev/urandom > /data/pg/16384 && ' +
      'dd if=/dev/urandom of=/data/sparse bs=4096 count=1 seek=2000 2>/dev/null && ' +
      'echo hi > /data/a && ln -s a /data/link && chown 999:999 /data/pg/16384 && chmod 600 /data/a',
  );
  await dvolOk(t, 'commit', '-m', 'base', source);
  t.equal(
    await dvolOk(t, 'remote', 'add', 'origin', url, '--volume', source),
    `Added remote origin of ${source}: ${url}\n`,
  );
  t.match(
    await transferOk(t, 'push', '--volume', source),
    new RegExp(`^To ${url}\n \\* \\[new branch\\] +master -> master\n`),
  );
  t.equal(await transferOk(t, 'push', '--volume', source), `To ${url}\nEverything up-to-date\n`);
  await fsckClean(t, 'after push');

  t.match(
    await transferOk(t, 'clone', url, copy),
    new RegExp(`^Cloned ${url} branch master into ${copy} \\(1 commit\\)\\.\n$`),
  );
  await fsckClean(t, 'after clone');
  t.equal(
    JSON.stringify(JSON.parse(await dvolOk(t, 'log', '--json', copy))),
    JSON.stringify(JSON.parse(await dvolOk(t, 'log', '--json', source))),
    'the same commits, ids included',
  );
  t.equal(
    await busybox(copy, LISTING),
    await busybox(source, LISTING),
    'the same files, modes, owners, links',
  );
  t.match(await dvolOk(t, 'branch', '-r', copy), /^ {2}origin\/master {2}[0-9a-f]{7}\n$/);

  // The source moves on; the copy is in use by a container while it pulls.
  await busybox(source, 'echo two > /data/a');
  await dvolOk(t, 'commit', '-m', 'second', source);
  await transferOk(t, 'push', '--volume', source);
  const ctr = await runDetached(t, ['-v', `${copy}:/data`, '--volume-driver=dvol', image, 'sleep', '3600']);
  const pulled = await transferOk(t, 'pull', '--volume', copy);
  t.match(pulled, /Fast-forward\nRestarted container /, 'the container was stopped and started again');
  t.equal(await containerFile(ctr, '/data/a'), 'two\n', 'the container sees the pulled data');
  await fsckClean(t, 'after pull');
  await docker('rm', '-f', ctr);

  // A missing branch and an unreachable registry: one sentence each, nothing made.
  const missing = await dvol('clone', `${url}:nope`, `${copy}x`);
  t.equal(missing.code, 3);
  t.equal(missing.stderr.split('\n')[0], `dvol: ${url} has no branch 'nope'`);
  const dead = await dvol('clone', '127.0.0.1:1/x/y', `${copy}x`);
  t.equal(dead.code, 5);
  t.match(dead.stderr, /^dvol: could not connect to registry 127\.0\.0\.1:1: connection refused\n/);
  t.notOk((await dvol('list')).stdout.includes(`${copy}x`), 'no half-made volume');
  await fsckClean(t, 'at the end');
});
