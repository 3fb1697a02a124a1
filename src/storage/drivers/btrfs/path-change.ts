// One change between two snapshots as btrfs reports it, and how a send command maps to one. Its own
// module so that changes.ts and orphans.ts, which both use it, do not import each other.

import { SendOp, type SendCommand } from './stream.js';

export type ChangeKind = 'added' | 'deleted' | 'renamed' | 'data' | 'mode' | 'owner' | 'xattr' | 'times';

/** One change, as btrfs reports it; paths are raw bytes relative to the snapshot root ('' = root). */
export interface PathChange {
  kind: ChangeKind;
  /** The path in the newer snapshot (for 'deleted': in the older one). */
  path: Buffer;
  /** renamed: the path in the older snapshot. */
  from?: Buffer;
  /** data: the byte range btrfs saw rewritten; absent when the size changed (truncate). */
  offset?: bigint;
  length?: bigint;
  /** times: the new mtime in ns. atime/ctime-only updates arrive as 'times' too: see isRealChange. */
  mtimeNs?: bigint;
  /** xattr: its name. */
  xattr?: Buffer;
}

const STRUCTURE: Partial<Record<number, ChangeKind>> = {
  [SendOp.mkfile]: 'added',
  [SendOp.mkdir]: 'added',
  [SendOp.mknod]: 'added',
  [SendOp.mkfifo]: 'added',
  [SendOp.mksock]: 'added',
  [SendOp.symlink]: 'added',
  [SendOp.link]: 'added',
  [SendOp.unlink]: 'deleted',
  [SendOp.rmdir]: 'deleted',
  [SendOp.chmod]: 'mode',
  [SendOp.chown]: 'owner',
  [SendOp.setXattr]: 'xattr',
  [SendOp.removeXattr]: 'xattr',
  [SendOp.write]: 'data',
  [SendOp.clone]: 'data',
  [SendOp.updateExtent]: 'data',
  [SendOp.truncate]: 'data',
  [SendOp.fallocate]: 'data',
  [SendOp.encodedWrite]: 'data',
  [SendOp.utimes]: 'times',
};

/** Maps one send command to a change, or undefined for stream framing (subvol/snapshot headers). */
export function toChange(command: SendCommand): PathChange | undefined {
  const path = command.path ?? Buffer.alloc(0);
  if (command.op === SendOp.rename) return { kind: 'renamed', from: path, path: command.pathTo ?? path };
  const kind = STRUCTURE[command.op];
  if (!kind) return undefined;
  const change: PathChange = { kind, path };
  if (command.op === SendOp.updateExtent || command.op === SendOp.write || command.op === SendOp.clone) {
    change.offset = command.offset;
    change.length = command.size;
  }
  if (command.mtimeNs !== undefined) change.mtimeNs = command.mtimeNs;
  if (command.xattrName) change.xattr = command.xattrName;
  return change;
}
