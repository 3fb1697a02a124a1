// Decoding send streams and resolving orphan names, on streams built byte by byte (no root needed);
// real streams from the kernel are covered by changes.test.ts.

import t from 'tap';

import { toChange, type PathChange } from './path-change.js';
import { OrphanResolver } from './orphans.js';
import { parseSendStream, SendOp, type SendCommand } from './stream.js';

function tlv(type: number, value: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16LE(type, 0);
  head.writeUInt16LE(value.length, 2);
  return Buffer.concat([head, value]);
}

function command(op: number, ...attrs: Buffer[]): Buffer {
  const body = Buffer.concat(attrs);
  const head = Buffer.alloc(10);
  head.writeUInt32LE(body.length, 0);
  head.writeUInt16LE(op, 4);
  return Buffer.concat([head, body]);
}

const u64 = (n: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(n);
  return b;
};
const header = Buffer.concat([Buffer.from('btrfs-stream\0', 'latin1'), Buffer.from([1, 0, 0, 0])]);
const PATH = 15;

async function* chunks(buf: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

async function collect(source: AsyncIterable<Buffer>): Promise<SendCommand[]> {
  const out: SendCommand[] = [];
  for await (const c of parseSendStream(source)) out.push(c);
  return out;
}

t.test('commands and attributes survive any chunking', async (t) => {
  const time = Buffer.alloc(12);
  time.writeBigInt64LE(1_200_000_000n, 0);
  time.writeUInt32LE(987_654_321, 8);
  const stream = Buffer.concat([
    header,
    command(SendOp.updateExtent, tlv(PATH, Buffer.from('d/f')), tlv(18, u64(4096n)), tlv(4, u64(8192n))),
    command(SendOp.utimes, tlv(PATH, Buffer.from([0x66, 0xff])), tlv(10, time)),
    command(SendOp.end),
    Buffer.from('ignored after end'),
  ]);
  for (const size of [1, 7, stream.length]) {
    const [extent, utimes, ...rest] = await collect(chunks(stream, size));
    t.same(rest, [], `chunks of ${size}: nothing after end`);
    t.match(extent, { op: SendOp.updateExtent, offset: 4096n, size: 8192n });
    t.equal(extent?.path?.toString(), 'd/f');
    t.same(utimes?.path, Buffer.from([0x66, 0xff]), 'non-UTF-8 names stay bytes');
    t.equal(utimes?.mtimeNs, 1_200_000_000_987_654_321n);
  }
});

t.test('a stream that is not btrfs, or that is cut short, is an error', async (t) => {
  await t.rejects(collect(chunks(Buffer.from('not a btrfs stream at all'), 4)), /not a btrfs send stream/);
  const cut = Buffer.concat([header, command(SendOp.mkdir, tlv(PATH, Buffer.from('x')))]);
  await t.rejects(collect(chunks(cut, 5)), /ended before its end command/);
});

const p = (s: string) => Buffer.from(s);
const show = (changes: PathChange[]) =>
  changes.map((c) => (c.from ? `${c.kind} ${c.from} -> ${c.path}` : `${c.kind} ${c.path}`));

t.test('orphan names resolve to the final path of new inodes and the old path of moved ones', async (t) => {
  const r = new OrphanResolver();
  const feed = (c: SendCommand) => r.resolve(toChange(c)!);
  t.same(show(feed({ op: SendOp.mkdir, path: p('o261-7-0') })), [], 'a new inode waits for its name');
  t.same(show(feed({ op: SendOp.mkfile, path: p('o261-7-0/inner') })), []);
  t.same(show(feed({ op: SendOp.rename, path: p('o261-7-0'), pathTo: p('new') })), [
    'added new',
    'added new/inner',
  ]);
  t.same(
    show(feed({ op: SendOp.rename, path: p('old'), pathTo: p('o300-2-0') })),
    [],
    'an existing one parks',
  );
  t.same(show(feed({ op: SendOp.chmod, path: p('o300-2-0/x') })), ['mode old/x']);
  t.same(show(feed({ op: SendOp.rename, path: p('o300-2-0'), pathTo: p('moved') })), [
    'renamed old -> moved',
  ]);
  t.same(show(feed({ op: SendOp.rename, path: p('gone'), pathTo: p('o301-2-0') })), []);
  t.same(show(feed({ op: SendOp.rmdir, path: p('o301-2-0') })), ['deleted gone']);
  t.same(show(feed({ op: SendOp.rename, path: p('a'), pathTo: p('o302-2-0') })), []);
  t.same(show(feed({ op: SendOp.rename, path: p('o302-2-0'), pathTo: p('a') })), [], 'moved back: no change');
  t.same(show(r.flush()), []);
});
