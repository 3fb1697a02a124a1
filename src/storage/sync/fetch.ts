// `fetch`: the remote's branches become remote-tracking branches (`origin/master`), their commits
// imported with their ids. The tracking refs in volume.json move last (the commit point).

import { type VolumeContext, loadRecord } from '../context.js';
import { listCommitIds, type VolumeRecord } from '../meta.js';
import { nameProblem } from '../names.js';
import type { BlobStore } from '../remotes/blobstore.js';
import { parseTag } from '../remotes/format/tags.js';
import { requireRemote, withTracking } from '../remote-refs.js';
import { moveTracking, readRemoteBranch } from './history.js';
import { importCommit } from './import.js';

export interface FetchedBranch {
  branch: string;
  /** The tracking branch's commit before, null when it is new. */
  from: string | null;
  to: string;
  /** Commits brought in (their data restored), oldest first. */
  imported: string[];
}

export interface FetchResult {
  remote: string;
  location: string;
  branches: FetchedBranch[];
  /** Remote tags that name branches dvol cannot hold (names outside its alphabet). */
  skipped: string[];
}

export interface FetchOptions {
  /** Only this branch (pull, clone); default every branch of the remote. */
  branch?: string;
  onProgress?: (line: string) => void;
}

/** The branch names a remote holds, and the tags that decode to names dvol refuses. */
async function remoteBranches(store: BlobStore): Promise<{ names: string[]; skipped: string[] }> {
  const names: string[] = [];
  const skipped: string[] = [];
  for (const tag of await store.listTags()) {
    const parsed = parseTag(tag);
    if (parsed?.kind !== 'branch') continue;
    if (nameProblem('branch', parsed.name) === undefined) names.push(parsed.name);
    else skipped.push(tag);
  }
  return { names, skipped };
}

/** Fetches `remote` into the volume; the caller holds the volume's lock. */
export async function fetchRemote(
  ctx: VolumeContext,
  store: BlobStore,
  remote: string,
  opts: FetchOptions = {},
): Promise<FetchResult> {
  let record: VolumeRecord = await loadRecord(ctx);
  const tracked = requireRemote(record, remote);
  const { names, skipped } =
    opts.branch !== undefined ? { names: [opts.branch], skipped: [] } : await remoteBranches(store);
  const have = new Set(await listCommitIds(ctx.paths));
  const branches: FetchedBranch[] = [];
  for (const branch of names) {
    const found = await readRemoteBranch(store, branch);
    if (!found) continue;
    const tip = found.chain[0]!;
    const from = Object.hasOwn(tracked.branches, branch) ? tracked.branches[branch]! : null;
    const imported: string[] = [];
    const missing = found.chain.filter((e) => !have.has(e.id)).reverse();
    for (const [i, entry] of missing.entries()) {
      opts.onProgress?.(
        `${remote}/${branch}: receiving commit ${entry.id.slice(0, 7)} (${i + 1}/${missing.length})`,
      );
      await importCommit(ctx, record, store, entry);
      have.add(entry.id);
      imported.push(entry.id);
    }
    record = withTracking(record, remote, branch, tip.id);
    await moveTracking(ctx, record);
    branches.push({ branch, from, to: tip.id, imported });
  }
  return { remote, location: store.location, branches, skipped };
}
