// Damaged remote data is refused as 'corrupt' and leaves no target: a pack whose digest no longer
// matches, a block whose hash does not (read by range), a damaged index leaf.

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import t, { type Test } from 'tap';

import type { Descriptor } from '../blobstore.js';
import { openLayoutStore } from '../layout/store.js';
import { fetchCommit, loadParent, pushCommit } from './commit.js';
import { INDEX_LEAF_TYPE } from './media.js';
import { readFooter } from './pack.js';
import { pushTree } from './push.js';
import { restoreTree } from './restore.js';

const commit = (n: number) => ({
  id: n.toString(16).padStart(40, '0'),
  parents: [],
  message: `commit ${n}`,
  author: 'Jane Doe <jane@example.com>',
  date: '2026-12-01T22:00:00Z',
});

/** Flips one byte of a blob file of the directory remote, in place. */
function flip(remote: string, digest: string, offset: number): void {
  const file = path.join(remote, 'blobs', 'sha256', digest.slice('sha256:'.length));
  const fd = fs.openSync(file, 'r+');
  const b = Buffer.alloc(1);
  fs.readSync(fd, b, 0, 1, offset);
  b[0] = (b[0] as number) ^ 0xff;
  fs.writeSync(fd, b, 0, 1, offset);
  fs.closeSync(fd);
}

async function setup(t: Test) {
  const root = t.testdir({ src: {} });
  const src = path.join(root, 'src');
  fs.writeFileSync(path.join(src, 'big'), randomBytes(4 << 20));
  fs.writeFileSync(path.join(src, 'small'), randomBytes(40000));
  const remote = path.join(root, 'remote');
  const store = await openLayoutStore(remote);
  const knownBlobs = path.join(root, 'known.jsonl');
  const m1 = await pushCommit(store, { commit: commit(1), tree: await pushTree(src, store, { knownBlobs }) });
  return { root, src, remote, store, knownBlobs, m1 };
}

function noTarget(t: Test, root: string, target: string): void {
  t.notOk(fs.existsSync(target), 'no target is made');
  t.same(
    fs.readdirSync(root).filter((n) => n.includes('dvol-restore')),
    [],
    'no temp directory is left',
  );
}

t.test('a damaged pack read whole fails its digest check', async (t) => {
  const { root, remote, store, m1 } = await setup(t);
  const pack = (await fetchCommit(store, m1.digest)).packs[0];
  flip(remote, pack?.digest as string, 1000);
  const target = path.join(root, 'out');
  await t.rejects(restoreTree(store, m1.digest, target), { code: 'corrupt' });
  noTarget(t, root, target);
});

t.test('a damaged block read by range fails its hash check', async (t) => {
  const { root, src, remote, store, knownBlobs, m1 } = await setup(t);
  fs.rmSync(path.join(src, 'big')); // the next commit needs only 'small': a small span of the pack
  const tree = await pushTree(src, store, { knownBlobs, parent: await loadParent(store, m1.digest) });
  const m2 = await pushCommit(store, { commit: commit(2), tree });
  const pack = tree.packs[0];
  t.equal(tree.packs.length, 1, 'the commit reuses one pack');
  const blocks = await readFooter(store, pack as Descriptor);
  const target = path.join(root, 'out');
  const ok = path.join(root, 'ok');
  await restoreTree(store, m2.digest, ok);
  t.same(
    fs.readFileSync(path.join(ok, 'small')),
    fs.readFileSync(path.join(src, 'small')),
    'restores before damage',
  );
  const small = blocks.filter((b) => b.offset >= 4 << 20); // 'big' walks first: its blocks lead the pack
  t.equal(small.length, 3, "'small' is three blocks");
  flip(remote, pack?.digest as string, (small[1]?.offset as number) + 5);
  await t.rejects(restoreTree(store, m2.digest, target), {
    code: 'corrupt',
    message: /does not match its hash/,
  });
  noTarget(t, root, target);
});

t.test('a damaged index leaf fails its digest check', async (t) => {
  const { root, remote, store, m1 } = await setup(t);
  const fetched = await fetchCommit(store, m1.digest);
  const manifest = JSON.parse((await store.getManifest(m1.digest)).bytes.toString()) as {
    layers: { mediaType: string; digest: string }[];
  };
  const leaf = manifest.layers.find((l) => l.mediaType === INDEX_LEAF_TYPE);
  t.ok(fetched.indexRoot && leaf, 'the commit has an index');
  flip(remote, leaf?.digest as string, 10);
  const target = path.join(root, 'out');
  await t.rejects(restoreTree(store, m1.digest, target), { code: 'corrupt' });
  noTarget(t, root, target);
});
