// `dvol diff` of a branch's working data on copy drivers: the change tracker's difference stream
// (manifest-skipped, data read only where metadata cannot decide), described entry by entry.

import { describe, type ChangeAspect, type DiffEntry } from '../diff-entry.js';
import type { Difference } from './compare.js';
import { rewritten } from './diff-trees.js';

/**
 * Turns the tracker's differences between `commitDir` (null: empty) and `branchDir` into diff
 * entries. Against an empty tree the root is never reported (it always exists).
 */
export async function* describeDifferences(
  differences: AsyncIterable<Difference>,
  commitDir: string | null,
  branchDir: string,
): AsyncGenerator<DiffEntry> {
  for await (const d of differences) {
    if (commitDir === null && d.path === '') continue;
    const found: ChangeAspect[] = d.what === undefined || d.what === 'type' ? [] : [d.what];
    const entry = describe(Buffer.from(d.path, 'latin1'), commitDir, branchDir, found);
    if (!entry) continue;
    // The tracker names the first difference it saw (for `hasChanges`, the cheapest): a new mtime
    // on a file of the same size may hide new bytes, which is what a diff must report.
    if (commitDir !== null && (await rewritten(entry, commitDir, branchDir)))
      entry.changes.unshift('content');
    yield entry;
  }
}
