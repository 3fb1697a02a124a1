// Decodes a btrfs send stream (version 1 and 2 framing) into commands with typed attributes.

/** Send commands (btrfs send.h); the ones dvol reads by name. */
export const SendOp = {
  subvol: 1,
  snapshot: 2,
  mkfile: 3,
  mkdir: 4,
  mknod: 5,
  mkfifo: 6,
  mksock: 7,
  symlink: 8,
  rename: 9,
  link: 10,
  unlink: 11,
  rmdir: 12,
  setXattr: 13,
  removeXattr: 14,
  write: 15,
  clone: 16,
  truncate: 17,
  chmod: 18,
  chown: 19,
  utimes: 20,
  end: 21,
  updateExtent: 22,
  fallocate: 23,
  fileattr: 24,
  encodedWrite: 25,
  enableVerity: 26,
} as const;

/** Attribute types (btrfs send.h) that dvol reads. */
const Attr = {
  size: 4,
  mode: 5,
  uid: 6,
  gid: 7,
  mtime: 10,
  xattrName: 13,
  path: 15,
  pathTo: 16,
  pathLink: 17,
  fileOffset: 18,
} as const;

/** One decoded command; paths are raw bytes (names need not be UTF-8), relative to the subvolume. */
export interface SendCommand {
  op: number;
  path?: Buffer;
  /** rename: the new path. */
  pathTo?: Buffer;
  /** link: the existing path; symlink: the target. */
  pathLink?: Buffer;
  xattrName?: Buffer;
  offset?: bigint;
  size?: bigint;
  mode?: number;
  uid?: bigint;
  gid?: bigint;
  /** utimes: modification time in nanoseconds since the epoch. */
  mtimeNs?: bigint;
}

const MAGIC = Buffer.from('btrfs-stream\0', 'latin1');
const STREAM_HEADER = MAGIC.length + 4;
const CMD_HEADER = 10;

/**
 * Yields the commands of a send stream read from `chunks` (e.g. `btrfs send` stdout). Stops after the
 * `end` command. Throws on a stream that is not btrfs-stream, or that is cut short.
 */
export async function* parseSendStream(chunks: AsyncIterable<Buffer>): AsyncGenerator<SendCommand> {
  let buf: Buffer = Buffer.alloc(0);
  let headerRead = false;
  for await (const chunk of chunks) {
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    if (!headerRead) {
      if (buf.length < STREAM_HEADER) continue;
      if (!buf.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error('not a btrfs send stream');
      buf = buf.subarray(STREAM_HEADER);
      headerRead = true;
    }
    while (buf.length >= CMD_HEADER) {
      const length = buf.readUInt32LE(0);
      if (buf.length < CMD_HEADER + length) break;
      const command = decodeCommand(buf.readUInt16LE(4), buf.subarray(CMD_HEADER, CMD_HEADER + length));
      buf = buf.subarray(CMD_HEADER + length);
      if (command.op === SendOp.end) return;
      yield command;
    }
  }
  throw new Error('the btrfs send stream ended before its end command');
}

function decodeCommand(op: number, body: Buffer): SendCommand {
  const command: SendCommand = { op };
  let at = 0;
  while (at + 4 <= body.length) {
    const type = body.readUInt16LE(at);
    const length = body.readUInt16LE(at + 2);
    const value = body.subarray(at + 4, at + 4 + length);
    at += 4 + length;
    // In v2 streams an encoded write's data attribute has no length and runs to the end of the body.
    if (op === SendOp.encodedWrite && type === 19) break;
    applyAttribute(command, type, value);
  }
  return command;
}

function applyAttribute(command: SendCommand, type: number, value: Buffer): void {
  switch (type) {
    case Attr.path:
      command.path = value;
      break;
    case Attr.pathTo:
      command.pathTo = value;
      break;
    case Attr.pathLink:
      command.pathLink = value;
      break;
    case Attr.xattrName:
      command.xattrName = value;
      break;
    case Attr.fileOffset:
      command.offset = value.readBigUInt64LE(0);
      break;
    case Attr.size:
      command.size = value.readBigUInt64LE(0);
      break;
    case Attr.mode:
      command.mode = Number(value.readBigUInt64LE(0));
      break;
    case Attr.uid:
      command.uid = value.readBigUInt64LE(0);
      break;
    case Attr.gid:
      command.gid = value.readBigUInt64LE(0);
      break;
    case Attr.mtime:
      command.mtimeNs = value.readBigInt64LE(0) * 1_000_000_000n + BigInt(value.readUInt32LE(8));
      break;
  }
}
