// Blocks compress only when it pays, packs list their blocks in a footer a pull reads by range,
// and sizes grow with the volume so one manifest always fits.

import { randomBytes } from 'node:crypto';
import path from 'node:path';
import t from 'tap';

import { openLayoutStore } from '../layout/store.js';
import { checkBlockSize, decodeBlock, encodeBlock } from './blocks.js';
import { sha256 } from './digest.js';
import { PackBuilder, parseFooter, readFooter } from './pack.js';
import { page } from './pages.testkit.js';
import { MAX_INDEX_BLOBS, MAX_PACKS, leafBlocks, packSize } from './sizing.js';

t.test('a block is compressed only when that saves an eighth', async (t) => {
  const text = Buffer.concat([page(true), page(true)]);
  const random = randomBytes(16384);
  const compressed = encodeBlock(text);
  t.equal(compressed.codec, 'br', 'repetitive text is compressed');
  t.ok(compressed.data.length < text.length / 8, 'and shrinks a lot');
  t.same(decodeBlock('br', compressed.data, text.length), text, 'and decodes back');
  t.equal(encodeBlock(random).codec, 'raw', 'random bytes are stored raw');
  t.throws(() => decodeBlock('br', randomBytes(100), 16384), { code: 'corrupt' }, 'garbage does not decode');
  t.throws(() => decodeBlock('zstd', random, 16384), { code: 'corrupt' }, 'an unknown codec is refused');
  t.throws(() => decodeBlock('raw', random, 100), { code: 'corrupt' }, 'a raw block of the wrong length');
});

t.test('block sizes are powers of two from 8 to 64 KiB', async (t) => {
  for (const ok of [8192, 16384, 32768, 65536]) t.equal(checkBlockSize(ok), ok);
  for (const bad of [4096, 131072, 12288, 0, -16384, 16384.5])
    t.throws(() => checkBlockSize(bad), { code: 'invalid' });
});

t.test('a pack footer read by range lists every block', async (t) => {
  const store = await openLayoutStore(path.join(t.testdir(), 'remote'));
  const builder = new PackBuilder();
  const blocks = [randomBytes(16384), Buffer.concat([page(true), page(true)]), randomBytes(100)];
  for (const b of blocks) {
    const { codec, data } = encodeBlock(b);
    builder.add(sha256(b), codec, data, b.length);
  }
  const pack = builder.finish();
  await store.putBlob(pack.descriptor.digest, pack.bytes);
  const footer = await readFooter(store, pack.descriptor);
  t.same(footer, pack.blocks, 'the footer as built');
  const bare = { ...pack.descriptor, annotations: undefined };
  t.same(await readFooter(store, bare), pack.blocks, 'also without the footer-length annotation');
  for (const [i, b] of footer.entries()) {
    const stored = await store.getBlob(pack.descriptor.digest, { offset: b.offset, length: b.length });
    t.same(decodeBlock(b.codec, stored, b.plainLength), blocks[i], `block ${i} by range`);
  }
  t.throws(() => parseFooter('sha256:x', Buffer.from('{"version":1,"blocks":[["00",0,1,"raw",1]]}'), 10), {
    code: 'corrupt',
  });
  const outside = `{"version":1,"blocks":[["${'0'.repeat(64)}",5,10,"raw",10]]}`;
  t.throws(
    () => parseFooter('sha256:x', Buffer.from(outside), 10),
    { code: 'corrupt' },
    'a block past the data',
  );
});

t.test('a 1 TiB volume still fits one manifest', async (t) => {
  const TiB = 2 ** 40;
  t.equal(packSize(1 << 30), 16 << 20, '16 MiB packs for 1 GiB');
  t.ok(
    TiB / packSize(TiB) <= MAX_PACKS,
    `1 TiB in ${Math.ceil(TiB / packSize(TiB))} packs of ${packSize(TiB) >> 20} MiB`,
  );
  const blocks = TiB / 16384;
  t.ok(blocks / leafBlocks(blocks) <= MAX_INDEX_BLOBS / 2, `${blocks / leafBlocks(blocks)} leaves of hashes`);
  t.equal(leafBlocks(1000), 1024, 'small volumes: 1024 hashes per leaf');
  t.equal(leafBlocks(1000, 4096), 4096, "a parent's larger cut is kept");
});
