// A tree pushed to a directory remote and restored elsewhere is identical: bytes, modes, owners,
// mtimes (ns), links, holes, xattrs, devices, fifos, names that are not UTF-8, multi-leaf files.

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';

import { describeTree } from '../../drivers/conformance/describe.testkit.js';
import { SPARSE_SIZE, buildFixture } from '../../drivers/conformance/fixture.testkit.js';
import { openLayoutStore } from '../layout/store.js';
import { fetchCommit, loadParent, pushCommit } from './commit.js';
import { pushTree } from './push.js';
import { restoreTree } from './restore.js';
import { branchTag, commitTag } from './tags.js';

const id = (n: number) => n.toString(16).padStart(40, '0');
const info = (n: number, parents: string[] = []) => ({
  id: id(n),
  parents,
  message: `commit ${n}\n\nbody`,
  author: 'Jane Doe <jane@example.com>',
  date: '2026-12-01T22:00:00Z',
});

t.test('the fidelity fixture survives push and restore through a directory remote', async (t) => {
  const root = t.testdir();
  const src = path.join(root, 'src');
  fs.mkdirSync(src);
  const { skipped } = buildFixture(src);
  for (const reason of skipped) t.test(`fixture feature: ${reason}`, { skip: reason }, () => undefined);
  // A 40 MiB file spans three index leaves (1024 blocks each); its middle is a hole.
  const big = path.join(src, 'data', 'big');
  const fd = fs.openSync(big, 'w');
  fs.writeSync(fd, randomBytes(8 << 20), 0, 8 << 20, 0);
  fs.writeSync(fd, randomBytes(8 << 20), 0, 8 << 20, 32 << 20);
  fs.closeSync(fd);
  fs.utimesSync(big, 1_300_000_000, 1_300_000_000);
  fs.utimesSync(path.join(src, 'data'), 1_200_000_000, 1_200_000_000);
  const expected = await describeTree(src);

  const store = await openLayoutStore(path.join(root, 'remote'));
  const tree = await pushTree(src, store, { knownBlobs: path.join(root, 'known.jsonl') });
  t.ok(tree.indexBlobs.length >= 4, `the index has a root and several leaves (${tree.indexBlobs.length})`);
  const manifest = await pushCommit(store, { commit: info(1), tree, branch: 'master', history: [] });
  t.same(
    await store.listTags(),
    [commitTag(id(1)), branchTag('master')].sort(),
    'a commit tag and a branch tag',
  );

  const target = path.join(root, 'restored');
  await restoreTree(store, manifest.digest, target);
  t.same(await describeTree(target), expected, 'the restored tree equals the pushed one');
  const sparse = fs.statSync(path.join(target, 'sparse'));
  t.equal(sparse.size, SPARSE_SIZE, 'sparse file size');
  t.ok(
    sparse.blocks * 512 < SPARSE_SIZE / 8,
    `the sparse file keeps its holes (${sparse.blocks * 512} bytes)`,
  );
  t.ok(fs.statSync(path.join(target, 'data', 'big')).blocks * 512 < 20 << 20, 'the big file keeps its hole');
  t.same(
    fs.readdirSync(root).filter((n) => n.includes('dvol-restore')),
    [],
    'no temp directory is left',
  );

  const again = path.join(root, 'restored-by-tag');
  await restoreTree(store, branchTag('master'), again);
  t.same(await describeTree(again), expected, 'restoring by the branch tag gives the same tree');
  await t.rejects(
    restoreTree(store, manifest.digest, target),
    { code: 'exists' },
    'an existing target is refused',
  );
});

t.test('commits carry config, history and deleted flags', async (t) => {
  const root = t.testdir({ src: { a: 'alpha\n', b: { c: 'gamma\n' } } });
  const store = await openLayoutStore(path.join(root, 'remote'));
  const knownBlobs = path.join(root, 'known.jsonl');
  const src = path.join(root, 'src');
  const m1 = await pushCommit(store, { commit: info(1), tree: await pushTree(src, store, { knownBlobs }) });
  fs.writeFileSync(path.join(src, 'a'), 'alpha 2\n');
  const parent = await loadParent(store, m1.digest);
  const tree2 = await pushTree(src, store, { knownBlobs, parent });
  const history = [{ ...info(1), manifest: m1.digest }];
  const m2 = await pushCommit(store, { commit: info(2, [id(1)]), tree: tree2, history, branch: 'dev/x' });
  const tip = await fetchCommit(store, branchTag('dev/x'));
  t.equal(tip.descriptor.digest, m2.digest, 'the branch tag names the tip manifest');
  t.same(tip.history, history, 'the tip carries its history');
  t.same(tip.config.parents, [id(1)], 'parents');
  t.equal(tip.config.formatVersion, 1, 'format version');
  t.equal(tip.config.index, tree2.index.digest, 'the config names the index root');
  const raw = JSON.parse((await store.getManifest(m2.digest)).bytes.toString()) as {
    artifactType: string;
    layers: { mediaType: string }[];
    annotations: Record<string, string>;
  };
  t.equal(raw.artifactType, 'application/vnd.dvol.commit.v1', 'artifact type');
  t.equal(raw.annotations['org.opencontainers.image.created'], info(2).date, 'created annotation');
  t.equal(
    raw.annotations['org.opencontainers.image.title'],
    `dvol ${id(2).slice(0, 12)}: commit 2`,
    'title annotation',
  );
  t.ok(
    raw.layers.some((l) => l.mediaType === 'application/vnd.dvol.pack.v1'),
    'packs are layers',
  );

  const gone = await pushCommit(store, { commit: { ...info(3, [id(2)]), deleted: true } });
  const fetched = await fetchCommit(store, gone.digest);
  t.equal(fetched.config.deleted, true, 'a deleted commit says so');
  t.same(fetched.packs, [], 'and needs no packs');
  await t.rejects(restoreTree(store, gone.digest, path.join(root, 'x')), { code: 'not_found' });
  t.notOk(fs.existsSync(path.join(root, 'x')), 'no target for a deleted commit');
});
