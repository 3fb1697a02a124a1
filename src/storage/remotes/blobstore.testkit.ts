// The conformance suite every BlobStore passes (a directory, a registry open or behind auth): the
// contracts of blobstore.ts, each as a subtest on a fresh, empty store.

import { randomBytes } from 'node:crypto';
import type { Test } from 'tap';
import { rejectsWith } from '../drivers/conformance/context.testkit.js';
import { type BlobStore, sha256Digest } from './blobstore.js';

export interface ConformanceOptions {
  /** Damages the stored bytes of a blob in place (same size), to show that whole reads verify. */
  corrupt: (store: BlobStore, digest: string) => Promise<void>;
  /** False for a registry that cannot delete a tag alone: deleteTag must then be `unsupported`. */
  deletesTags: boolean;
}

export const MANIFEST_TYPE = 'application/vnd.oci.image.manifest.v1+json';
const EMPTY = {
  mediaType: 'application/vnd.oci.empty.v1+json',
  digest: sha256Digest(Buffer.from('{}')),
  size: 2,
};

/** A blob of `size` random bytes and its digest. */
export function randomBlob(size: number): { data: Buffer; digest: string } {
  const data = randomBytes(size);
  return { data, digest: sha256Digest(data) };
}

/** An OCI artifact manifest referencing `layers` (pushed with the empty config), as exact bytes. */
export function manifestBytes(layers: { digest: string; size: number }[], title = 'test'): Buffer {
  const manifest = {
    schemaVersion: 2,
    mediaType: MANIFEST_TYPE,
    artifactType: 'application/vnd.dvol.test.v1',
    config: EMPTY,
    layers: layers.map((l) => ({ mediaType: 'application/octet-stream', ...l })),
    annotations: { 'org.opencontainers.image.title': title },
  };
  return Buffer.from(JSON.stringify(manifest));
}

/** Puts the empty config and one random layer, then a manifest of them under `tag`. */
export async function pushArtifact(store: BlobStore, tag: string, title = tag) {
  await store.putBlob(EMPTY.digest, Buffer.from('{}'));
  const layer = randomBlob(100);
  await store.putBlob(layer.digest, layer.data);
  const bytes = manifestBytes([{ digest: layer.digest, size: 100 }], title);
  return { bytes, descriptor: await store.putManifest(tag, MANIFEST_TYPE, bytes) };
}

const BAD_DIGESTS = [
  '',
  'sha256:',
  'sha256:xyz',
  `sha256:${'A'.repeat(64)}`,
  `sha512:${'a'.repeat(128)}`,
  `sha256:${'a'.repeat(63)}`,
  `sha256:${'a'.repeat(64)}/../../x`,
  `../${'a'.repeat(64)}`,
];
const BAD_TAGS = ['', '-x', '.x', 'a/b', '../etc', 'a b', 'tag\n', 'ü', 'x'.repeat(129), 'a:b', '%2e%2e'];
/** Valid tags that break code keying plain objects by tag, or that look like paths. */
const HOSTILE_TAGS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', '_..', 'x'.repeat(128)];

/** Runs the suite; `make` returns a fresh, empty store for each subtest. */
export function blobStoreConformance(
  t: Test,
  make: (t: Test) => Promise<BlobStore>,
  opts: ConformanceOptions,
): void {
  t.test('a blob put is there whole, and reads back', async (t) => {
    const store = await make(t);
    const { data, digest } = randomBlob(70_000);
    t.equal(await store.hasBlob(digest), false, 'absent before');
    await store.putBlob(digest, data);
    t.equal(await store.hasBlob(digest), true, 'present after');
    t.ok((await store.getBlob(digest)).equals(data), 'same bytes');
    const empty = randomBlob(0);
    await store.putBlob(empty.digest, empty.data);
    t.equal((await store.getBlob(empty.digest)).length, 0, 'an empty blob reads back empty');
  });

  t.test('ranges read part of a blob', async (t) => {
    const store = await make(t);
    const { data, digest } = randomBlob(10_000);
    await store.putBlob(digest, data);
    t.ok((await store.getBlob(digest, { offset: 0, length: 10 })).equals(data.subarray(0, 10)), 'head');
    t.ok(
      (await store.getBlob(digest, { offset: 4321, length: 1000 })).equals(data.subarray(4321, 5321)),
      'middle',
    );
    t.ok(
      (await store.getBlob(digest, { offset: 9_999, length: 1 })).equals(data.subarray(9_999)),
      'last byte',
    );
    t.equal((await store.getBlob(digest, { offset: 500, length: 0 })).length, 0, 'zero length');
    await rejectsWith(t, store.getBlob(digest, { offset: 9_990, length: 11 }), 'invalid', 'past the end');
    await rejectsWith(t, store.getBlob(digest, { offset: -1, length: 2 }), 'invalid', 'negative offset');
    await rejectsWith(t, store.getBlob(digest, { offset: 0.5, length: 2 }), 'invalid', 'fractional offset');
  });

  t.test('put verifies the digest and stores nothing on a mismatch', async (t) => {
    const store = await make(t);
    const { data, digest } = randomBlob(1000);
    const other = randomBlob(1000);
    await rejectsWith(t, store.putBlob(digest, other.data), 'corrupt', 'wrong data for the digest');
    t.equal(await store.hasBlob(digest), false, 'nothing under the claimed digest');
    t.equal(await store.hasBlob(other.digest), false, 'nothing under the real digest');
    await store.putBlob(digest, data);
    t.equal(await store.hasBlob(digest), true, 'the right data is accepted after');
  });

  t.test('a whole read verifies what it read', async (t) => {
    const store = await make(t);
    const { data, digest } = randomBlob(5000);
    await store.putBlob(digest, data);
    await opts.corrupt(store, digest);
    await rejectsWith(t, store.getBlob(digest), 'corrupt', 'damaged blob');
    t.equal((await store.getBlob(digest, { offset: 0, length: 10 })).length, 10, 'a range is not verified');
  });

  t.test('missing things are not_found, or absent', async (t) => {
    const store = await make(t);
    const { digest } = randomBlob(10);
    t.equal(await store.hasBlob(digest), false);
    await rejectsWith(t, store.getBlob(digest), 'not_found', 'missing blob');
    await rejectsWith(
      t,
      store.getBlob(digest, { offset: 0, length: 1 }),
      'not_found',
      'range of a missing blob',
    );
    t.equal(await store.resolve('nope'), undefined, 'missing tag resolves to undefined');
    t.equal(await store.resolve(digest), undefined, 'missing digest resolves to undefined');
    await rejectsWith(t, store.getManifest('nope'), 'not_found', 'missing tag');
    await rejectsWith(t, store.getManifest(digest), 'not_found', 'missing manifest digest');
    t.same(await store.listTags(), [], 'no tags in a new store');
  });

  t.test('a manifest is stored byte-exact under its tag and its digest', async (t) => {
    const store = await make(t);
    const { bytes, descriptor } = await pushArtifact(store, 'v1');
    t.same(descriptor, { mediaType: MANIFEST_TYPE, digest: sha256Digest(bytes), size: bytes.length });
    t.same(await store.resolve('v1'), descriptor, 'resolve by tag');
    t.same(await store.resolve(descriptor.digest), descriptor, 'resolve by digest');
    const got = await store.getManifest('v1');
    t.ok(got.bytes.equals(bytes), 'same bytes by tag');
    t.same(got.descriptor, descriptor);
    t.ok((await store.getManifest(descriptor.digest)).bytes.equals(bytes), 'same bytes by digest');
    t.same(await store.listTags(), ['v1']);
  });

  t.test('tags move, and the list is sorted and complete', async (t) => {
    const store = await make(t);
    const first = await pushArtifact(store, 'tip', 'one');
    const second = await pushArtifact(store, 'tip', 'two');
    t.not(first.descriptor.digest, second.descriptor.digest);
    t.same(await store.resolve('tip'), second.descriptor, 'the tag moved');
    t.same(
      await store.resolve(first.descriptor.digest),
      first.descriptor,
      'the old manifest stays by digest',
    );
    const names = ['c-07', 'a', 'B', 'c-01', 'c-02', 'c-03', 'c-04', 'c-05', 'c-06'];
    for (const name of names) await store.putManifest(name, MANIFEST_TYPE, second.bytes);
    t.same(await store.listTags(), [...names, 'tip'].sort(), 'every tag, sorted');
  });

  t.test('deleteTag removes the tag, not the manifest', async (t) => {
    const store = await make(t);
    const { descriptor } = await pushArtifact(store, 'gone');
    await store.putManifest('kept', MANIFEST_TYPE, (await store.getManifest('gone')).bytes);
    if (!opts.deletesTags) {
      await rejectsWith(t, store.deleteTag('gone'), 'unsupported', 'this registry cannot delete a tag');
      t.same(await store.resolve('gone'), descriptor, 'and the tag is unchanged');
      return;
    }
    await store.deleteTag('gone');
    t.equal(await store.resolve('gone'), undefined, 'the tag is gone');
    t.same(await store.resolve('kept'), descriptor, 'another tag of the same manifest stays');
    t.same(await store.resolve(descriptor.digest), descriptor, 'the manifest stays');
    t.same(await store.listTags(), ['kept']);
    await store.deleteTag('never-was');
    t.pass('deleting a missing tag is not an error');
  });

  t.test('puts are idempotent', async (t) => {
    const store = await make(t);
    const { data, digest } = randomBlob(3000);
    await store.putBlob(digest, data);
    await store.putBlob(digest, data);
    t.ok((await store.getBlob(digest)).equals(data), 'blob put twice');
    const { bytes, descriptor } = await pushArtifact(store, 'same');
    t.same(await store.putManifest('same', MANIFEST_TYPE, bytes), descriptor, 'manifest put twice');
    t.same(await store.listTags(), ['same']);
  });

  t.test('a malformed digest is invalid before any I/O', async (t) => {
    const store = await make(t);
    for (const bad of BAD_DIGESTS) {
      await rejectsWith(t, store.hasBlob(bad), 'invalid', `hasBlob ${JSON.stringify(bad)}`);
      await rejectsWith(t, store.getBlob(bad), 'invalid', `getBlob ${JSON.stringify(bad)}`);
      await rejectsWith(t, store.putBlob(bad, Buffer.from('x')), 'invalid', `putBlob ${JSON.stringify(bad)}`);
    }
  });

  t.test('a malformed tag is invalid before any I/O', async (t) => {
    const store = await make(t);
    const bytes = manifestBytes([]);
    for (const bad of BAD_TAGS) {
      const what = JSON.stringify(bad.slice(0, 20));
      await rejectsWith(t, store.putManifest(bad, MANIFEST_TYPE, bytes), 'invalid', `putManifest ${what}`);
      await rejectsWith(t, store.resolve(bad), 'invalid', `resolve ${what}`);
      await rejectsWith(t, store.getManifest(bad), 'invalid', `getManifest ${what}`);
      await rejectsWith(t, store.deleteTag(bad), 'invalid', `deleteTag ${what}`);
    }
    t.same(await store.listTags(), [], 'nothing was tagged');
  });

  t.test('hostile but valid tag names are ordinary tags', async (t) => {
    const store = await make(t);
    const { bytes, descriptor } = await pushArtifact(store, 'base');
    t.equal(await store.resolve('__proto__'), undefined, '__proto__ is not there before');
    for (const tag of HOSTILE_TAGS) {
      t.same(await store.putManifest(tag, MANIFEST_TYPE, bytes), descriptor, `put ${tag.slice(0, 20)}`);
      t.same(await store.resolve(tag), descriptor, `resolve ${tag.slice(0, 20)}`);
    }
    t.same(await store.listTags(), ['base', ...HOSTILE_TAGS].sort());
  });

  t.test('errors and the location never show credentials', async (t) => {
    const store = await make(t);
    t.notMatch(store.location, /@|:\/\/[^/]*:[^/]*@/, 'no user info in the location');
    try {
      await store.getManifest('missing-tag');
      t.fail('expected not_found');
    } catch (err) {
      t.match((err as Error).message, /^tag 'missing-tag' is not in the \w+ \w+ /, 'one sentence');
      t.match((err as Error).message, store.location, 'the message names where it looked');
    }
  });
}
