// Resolves the temporary "orphan" names btrfs send uses while it reorders a tree to real paths.

import type { PathChange } from './path-change.js';

/** btrfs send names a new or displaced inode `o<inode>-<generation>-<n>` at the root until it is placed. */
const ORPHAN = /^o\d+-\d+-\d+$/;
const SLASH = 0x2f;

function split(path: Buffer): { head: string; rest: Buffer } {
  const at = path.indexOf(SLASH);
  const head = (at < 0 ? path : path.subarray(0, at)).toString('latin1');
  return { head, rest: at < 0 ? Buffer.alloc(0) : path.subarray(at) };
}

function orphanOf(path: Buffer): string | undefined {
  const { head } = split(path);
  return ORPHAN.test(head) ? head : undefined;
}

/**
 * Feed it changes in stream order; it returns them with orphan names replaced: a new inode made under
 * an orphan name is reported once, as 'added' at its final path (with what happened to it meanwhile);
 * an existing inode parked under an orphan name is reported at its old path, or as 'renamed'.
 */
export class OrphanResolver {
  /** orphan name -> the real path of the existing inode parked there. */
  private readonly parked = new Map<string, Buffer>();
  /** orphan name -> changes to a new inode not yet at its final path. */
  private readonly pending = new Map<string, PathChange[]>();

  resolve(change: PathChange): PathChange[] {
    if (change.kind === 'renamed' && change.from) return this.renamed(change.from, change.path);
    const orphan = orphanOf(change.path);
    if (orphan === undefined) return [change];
    const isWhole = change.path.length === orphan.length;
    const waiting = this.pending.get(orphan);
    if (waiting) {
      waiting.push(change);
      return [];
    }
    if (change.kind === 'added' && isWhole) {
      this.pending.set(orphan, [change]);
      return [];
    }
    if (change.kind === 'deleted' && isWhole && this.parked.has(orphan)) {
      const path = this.real(change.path);
      this.parked.delete(orphan);
      return [{ ...change, path }];
    }
    return [{ ...change, path: this.real(change.path) }];
  }

  /** Changes still under orphan names when the stream ended (not expected from a complete stream). */
  flush(): PathChange[] {
    const rest = [...this.pending.values()].flat();
    this.pending.clear();
    return rest;
  }

  private renamed(from: Buffer, to: Buffer): PathChange[] {
    const fromOrphan = orphanOf(from);
    const waiting = fromOrphan === undefined ? undefined : this.pending.get(fromOrphan);
    if (fromOrphan !== undefined && waiting && from.length === fromOrphan.length) {
      this.pending.delete(fromOrphan);
      return waiting.map((c) => ({ ...c, path: Buffer.concat([to, split(c.path).rest]) }));
    }
    const toOrphan = orphanOf(to);
    if (toOrphan !== undefined && to.length === toOrphan.length) {
      this.parked.set(toOrphan, this.real(from));
      return [];
    }
    const realFrom = this.real(from);
    if (fromOrphan !== undefined && from.length === fromOrphan.length) this.parked.delete(fromOrphan);
    return realFrom.equals(to) ? [] : [{ kind: 'renamed', from: realFrom, path: to }];
  }

  /** Replaces a parked orphan prefix with the inode's real path. */
  private real(path: Buffer): Buffer {
    const { head, rest } = split(path);
    const parked = this.parked.get(head);
    return parked ? Buffer.concat([parked, rest]) : path;
  }
}
