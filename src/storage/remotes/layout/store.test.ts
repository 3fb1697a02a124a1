import { readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { rejectsWith } from '../../drivers/conformance/context.testkit.js';
import { blobStoreConformance, MANIFEST_TYPE, pushArtifact } from '../blobstore.testkit.js';
import { REF_NAME, openLayoutStore } from './store.js';

/** Flips the first byte of a stored blob, keeping its size. */
async function corruptFile(dir: string, digest: string): Promise<void> {
  const path = join(dir, 'blobs', 'sha256', digest.slice('sha256:'.length));
  const data = await readFile(path);
  data[0] = (data[0] ?? 0) ^ 0xff;
  await writeFile(path, data);
}

t.test('the directory store passes the conformance suite', async (t) => {
  blobStoreConformance(t, async (t) => openLayoutStore(join(t.testdir(), 'remote')), {
    corrupt: (store, digest) => corruptFile(store.location, digest),
    deletesTags: true,
  });
});

t.test('the directory is a valid OCI image layout', async (t) => {
  const dir = join(t.testdir(), 'remote');
  const store = await openLayoutStore(dir);
  const { descriptor } = await pushArtifact(store, 'master');
  t.same(JSON.parse(await readFile(join(dir, 'oci-layout'), 'utf8')), { imageLayoutVersion: '1.0.0' });
  const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8'));
  t.equal(index.schemaVersion, 2);
  t.equal(index.mediaType, 'application/vnd.oci.image.index.v1+json');
  t.same(index.manifests, [{ ...descriptor, annotations: { [REF_NAME]: 'master' } }]);
  const blobs = await readdir(join(dir, 'blobs', 'sha256'));
  t.equal(blobs.length, 3, 'config, layer and manifest, and no temp files left');
  t.ok(blobs.every((name) => /^[a-f0-9]{64}$/.test(name)));
  t.same(await readdir(dir).then((names) => names.sort()), ['blobs', 'index.json', 'oci-layout']);
  const reopened = await openLayoutStore(dir);
  t.same(await reopened.resolve('master'), descriptor, 'a second open sees the tag');
});

t.test('concurrent writers through separate stores lose no tag', async (t) => {
  const dir = join(t.testdir(), 'remote');
  const stores = await Promise.all([1, 2, 3, 4].map(() => openLayoutStore(dir)));
  const { bytes } = await pushArtifact(stores[0]!, 'base');
  const tags = Array.from({ length: 40 }, (_, i) => `t${String(i).padStart(2, '0')}`);
  await Promise.all(tags.map((tag, i) => stores[i % 4]!.putManifest(tag, MANIFEST_TYPE, bytes)));
  t.same(await stores[1]!.listTags(), ['base', ...tags]);
  await Promise.all(tags.slice(0, 20).map((tag, i) => stores[i % 4]!.deleteTag(tag)));
  t.same(await stores[2]!.listTags(), ['base', ...tags.slice(20)], 'concurrent deletes lose nothing either');
});

t.test('a stale index lock left by a dead writer is broken; a fresh one is waited for', async (t) => {
  const dir = join(t.testdir(), 'remote');
  const store = await openLayoutStore(dir);
  const lock = join(dir, '.dvol-index.lock');
  await writeFile(lock, '999999\n');
  const old = new Date(Date.now() - 60_000);
  await utimes(lock, old, old);
  await pushArtifact(store, 'after-crash');
  t.same(await store.listTags(), ['after-crash'], 'the stale lock did not block the push');
  await writeFile(lock, `${process.pid}\n`);
  const waiting = pushArtifact(store, 'waited');
  await new Promise((resolve) => setTimeout(resolve, 200));
  t.same(await store.listTags(), ['after-crash'], 'the push waits while the lock is held');
  await rm(lock);
  await waiting;
  t.same(await store.listTags(), ['after-crash', 'waited'], 'and goes on once it is released');
});

t.test('a directory that is another kind of layout is refused', async (t) => {
  const dir = t.testdir({ 'oci-layout': JSON.stringify({ imageLayoutVersion: '9.9' }) });
  await rejectsWith(t, openLayoutStore(dir), 'corrupt', 'unknown layout version');
  const broken = t.testdir({ 'oci-layout': '{"imageLayoutVersion":"1.0.0"}', 'index.json': '{oops' });
  const store = await openLayoutStore(broken);
  await rejectsWith(t, store.listTags(), 'corrupt', 'index.json that does not parse');
});
