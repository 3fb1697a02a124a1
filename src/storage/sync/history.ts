// A remote branch as fetch and push see it: its tip and the history blob the tip carries, checked,
// since a remote is not trusted: ids are commit ids, the chain is linked, messages are strings.

import type { VolumeContext } from '../context.js';
import { DvolError } from '../errors.js';
import { collectGarbage } from '../gc.js';
import { readAllCommits, writeVolumeRecord, type VolumeRecord } from '../meta.js';
import type { BlobStore } from '../remotes/blobstore.js';
import { type HistoryEntry, fetchCommit } from '../remotes/format/commit.js';
import { branchTag } from '../remotes/format/tags.js';

const ID = /^[0-9a-f]{40}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

export interface RemoteBranch {
  /** The tip's manifest digest. */
  manifest: string;
  /** The tip first, then its ancestors, newest first; each entry's first parent is the next one. */
  chain: HistoryEntry[];
}

function damaged(location: string, branch: string, why: string): DvolError {
  return new DvolError(
    'corrupt',
    `the history of branch '${branch}' in ${location} is damaged: ${why}`,
    'push the branch again from a good copy',
  );
}

function checkEntry(e: HistoryEntry, location: string, branch: string): void {
  const ok =
    typeof e === 'object' &&
    e !== null &&
    typeof e.id === 'string' &&
    ID.test(e.id) &&
    Array.isArray(e.parents) &&
    e.parents.length <= 1 &&
    e.parents.every((p) => typeof p === 'string' && ID.test(p)) &&
    typeof e.message === 'string' &&
    e.message.trim() !== '' &&
    typeof e.author === 'string' &&
    typeof e.date === 'string' &&
    typeof e.manifest === 'string' &&
    DIGEST.test(e.manifest);
  if (!ok) throw damaged(location, branch, 'an entry is not a dvol commit');
}

/** The remote branch `branch`, or undefined when the remote has no such branch. */
export async function readRemoteBranch(store: BlobStore, branch: string): Promise<RemoteBranch | undefined> {
  let tip;
  try {
    tip = await fetchCommit(store, branchTag(branch));
  } catch (err) {
    if (err instanceof DvolError && err.code === 'not_found') return undefined;
    throw err;
  }
  const { config } = tip;
  const head: HistoryEntry = {
    id: config.id,
    parents: config.parents,
    message: config.message,
    author: config.author,
    date: config.date,
    ...(config.deleted ? { deleted: true } : {}),
    manifest: tip.descriptor.digest,
  };
  const chain = [head, ...tip.history];
  for (const [i, e] of chain.entries()) {
    checkEntry(e, store.location, branch);
    const next = chain[i + 1];
    if ((e.parents[0] ?? null) !== (next?.id ?? null)) {
      throw damaged(store.location, branch, `commit ${e.id.slice(0, 7)} is not followed by its parent`);
    }
  }
  if (head.deleted) throw damaged(store.location, branch, 'its tip has no data');
  return { manifest: tip.descriptor.digest, chain };
}

/**
 * Writes `record` with a moved tracking branch (the commit point), then collects the commits only
 * the old position kept (a forced push or a rewritten remote branch leaves some).
 */
export async function moveTracking(ctx: VolumeContext, record: VolumeRecord): Promise<void> {
  await writeVolumeRecord(ctx.paths, record);
  await collectGarbage(ctx.paths, ctx.driver(record), record, await readAllCommits(ctx.paths));
}
