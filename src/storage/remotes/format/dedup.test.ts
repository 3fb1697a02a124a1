// Pushes send only what changed: 1 % of pages rewritten costs ≤ 3 % of the bytes, a no-op push sends
// and reads nothing, and an interrupted push resumed re-sends at most one pack.

import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';

import { describeTree } from '../../drivers/conformance/describe.testkit.js';
import { openLayoutStore } from '../layout/store.js';
import { loadParent, pushCommit } from './commit.js';
import { counting } from './counting.testkit.js';
import { changePages, writePages } from './pages.testkit.js';
import { pushTree } from './push.js';
import { restoreTree } from './restore.js';

const SIZE = 64 << 20;
const commit = (n: number, parents: string[] = []) => ({
  id: n.toString(16).padStart(40, '0'),
  parents,
  message: `commit ${n}`,
  author: 'Jane Doe <jane@example.com>',
  date: '2026-12-01T22:00:00Z',
});

t.test('1 % of pages changed costs at most 3 % of the volume; a no-op push sends nothing', async (t) => {
  const root = t.testdir({ src: {} });
  const src = path.join(root, 'src');
  writePages(path.join(src, 'heap'), SIZE);
  fs.writeFileSync(path.join(src, 'small'), 'not changed\n');
  const { store, counts, reset } = counting(await openLayoutStore(path.join(root, 'remote')));
  const knownBlobs = path.join(root, 'known.jsonl');
  const first = await pushTree(src, store, { knownBlobs });
  t.ok(
    first.stats.bytesSent < SIZE,
    `the first push compresses the text pages (${first.stats.bytesSent} bytes)`,
  );
  const m1 = await pushCommit(store, { commit: commit(1), tree: first });

  const changed = changePages(path.join(src, 'heap'), 0.01);
  reset();
  const second = await pushTree(src, store, { knownBlobs, parent: await loadParent(store, m1.digest) });
  const m2 = await pushCommit(store, { commit: commit(2, [commit(1).id]), tree: second });
  const share = counts.bytesPut / SIZE;
  t.ok(
    share <= 0.03,
    `${changed} pages changed: ${counts.bytesPut} bytes stored, ${(share * 100).toFixed(2)} %`,
  );
  t.equal(second.stats.filesRead, 1, 'only the changed file is read');

  reset();
  const noop = await pushTree(src, store, { knownBlobs, parent: await loadParent(store, m2.digest) });
  t.equal(counts.puts, 0, 'a no-op push puts no blob');
  t.equal(counts.heads, 0, 'nor asks the remote about any');
  t.equal(noop.stats.filesRead, 0, 'nor reads any file');
  t.equal(noop.index.digest, second.index.digest, 'the index is the same');

  await restoreTree(store, m2.digest, path.join(root, 'out'));
  t.same(await describeTree(path.join(root, 'out')), await describeTree(src), 'the second commit restores');
});

t.test('a push stopped after two packs, run again, re-sends at most one pack', async (t) => {
  const root = t.testdir({ src: {} });
  const src = path.join(root, 'src');
  writePages(path.join(src, 'heap'), SIZE);
  const clean = counting(await openLayoutStore(path.join(root, 'clean')));
  const cleanTree = await pushTree(src, clean.store, { knownBlobs: path.join(root, 'clean.jsonl') });
  const cleanPacks = cleanTree.stats.packsSent;
  const biggestPack = Math.max(...cleanTree.packs.map((p) => p.size));

  const { store, counts } = counting(await openLayoutStore(path.join(root, 'remote')));
  const knownBlobs = path.join(root, 'known.jsonl');
  const stop = new AbortController();
  let packs = 0;
  const onPack = () => {
    if (++packs === 2) stop.abort(new Error('stopped by the test'));
  };
  await t.rejects(pushTree(src, store, { knownBlobs, signal: stop.signal, onPack }), /stopped by the test/);
  t.ok(
    packs >= 2 && packs < cleanPacks,
    `${packs} packs were put before the stop (the one in flight finishes)`,
  );
  const tree = await pushTree(src, store, { knownBlobs });
  const extra = counts.bytesPut - clean.counts.bytesPut;
  t.ok(extra <= biggestPack, `the resumed push sent ${extra} bytes more than a clean one (≤ one pack)`);
  const sent = packs + tree.stats.packsSent;
  t.ok(sent <= cleanPacks + 1, `${sent} packs put in all, a clean push puts ${cleanPacks}`);
  const m = await pushCommit(store, { commit: commit(1), tree });
  await restoreTree(store, m.digest, path.join(root, 'out'));
  t.same(await describeTree(path.join(root, 'out')), await describeTree(src), 'the resumed push restores');
});

t.test('without the local record, a push learns the parent packs from their footers', async (t) => {
  const root = t.testdir({ src: {} });
  const src = path.join(root, 'src');
  writePages(path.join(src, 'heap'), 16 << 20);
  const { store, counts, reset } = counting(await openLayoutStore(path.join(root, 'remote')));
  const tree = await pushTree(src, store, { knownBlobs: path.join(root, 'first-machine.jsonl') });
  const m1 = await pushCommit(store, { commit: commit(1), tree });
  changePages(path.join(src, 'heap'), 0.01);
  reset();
  const parent = await loadParent(store, m1.digest);
  const second = await pushTree(src, store, { knownBlobs: path.join(root, 'other-machine.jsonl'), parent });
  t.ok(counts.bytesPut <= 0.03 * (16 << 20), `${counts.bytesPut} bytes sent for 1 % of pages`);
  t.equal(counts.heads, 0, 'the parent manifest vouches for its packs: no HEAD');
  t.ok(second.packs.length >= tree.packs.length, 'the new tree still lists the packs it reuses');
});
