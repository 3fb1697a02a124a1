// `push`: every commit of a branch the remote lacks, oldest first, each as one manifest (format/),
// then the branch tag (the remote's commit point) and the local tracking ref. Refused when the
// remote's branch has commits the local one lacks, unless forced.

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import { type VolumeContext, loadRecord, short } from '../context.js';
import { DvolError } from '../errors.js';
import { readCommit } from '../meta.js';
import type { Commit } from '../model.js';
import { sha256Digest, type BlobStore, type Descriptor } from '../remotes/blobstore.js';
import { type HistoryEntry, loadParent, pushCommit } from '../remotes/format/commit.js';
import { pushTree, type ParentTree } from '../remotes/format/push.js';
import { commitTag } from '../remotes/format/tags.js';
import { branchHead } from '../record-refs.js';
import { requireRemote, withTracking } from '../remote-refs.js';
import { moveTracking, readRemoteBranch } from './history.js';

export interface PushStatsSummary {
  commits: number;
  bytesRead: number;
  bytesSent: number;
  blocksNew: number;
  blocksReused: number;
  packsSent: number;
  seconds: number;
}

export interface PushResult {
  remote: string;
  location: string;
  branch: string;
  /** The remote branch's tip before, null when the branch is new there. */
  from: string | null;
  to: string;
  /** Commits sent, oldest first (empty: everything was up to date). */
  pushed: string[];
  forced: boolean;
  stats: PushStatsSummary;
}

export interface PushOptions {
  remote: string;
  branch: string;
  force?: boolean;
  signal?: AbortSignal;
  onProgress?: (line: string) => void;
  /** Called after each pack is stored (and recorded in the local cache). */
  onPack?: (pack: Descriptor) => void;
}

function commitInfo(c: Commit) {
  return {
    id: c.id,
    parents: c.parent === null ? [] : [c.parent],
    message: c.message,
    author: c.author,
    date: c.date,
    ...(c.dataDeleted ? { deleted: true } : {}),
  };
}

/** A pack's size for a progress line: `16.0 MiB`, `40 KiB`. */
function packSize(bytes: number): string {
  return bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MiB` : `${Math.ceil(bytes / 1024)} KiB`;
}

/** The per-remote record of pushed packs, beside volume.json: one file per remote location. */
async function knownBlobsFile(ctx: VolumeContext, location: string): Promise<string> {
  const dir = join(ctx.paths.dir, 'remote-cache');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  return join(dir, `${sha256Digest(Buffer.from(location)).slice(7, 31)}.jsonl`);
}

/** Pushes branch `opts.branch` to `store`; the caller holds the volume's lock. */
export async function pushBranch(
  ctx: VolumeContext,
  store: BlobStore,
  opts: PushOptions,
): Promise<PushResult> {
  const started = Date.now();
  const record = await loadRecord(ctx);
  requireRemote(record, opts.remote);
  const head = branchHead(record, opts.branch);
  if (head === undefined) {
    throw new DvolError(
      'not_found',
      `volume '${ctx.name}' has no branch '${opts.branch}'`,
      "list them with 'dvol branch'",
    );
  }
  if (head === null) {
    throw new DvolError(
      'not_found',
      `branch '${opts.branch}' has no commits to push`,
      "commit first with 'dvol commit -m ...'",
    );
  }
  // The local branch, newest first.
  const local: Commit[] = [await readCommit(ctx.paths, head)];
  for (let p = local[0]!.parent; p !== null; p = local[local.length - 1]!.parent)
    local.push(await readCommit(ctx.paths, p));
  const localIds = new Set(local.map((c) => c.id));
  const remote = await readRemoteBranch(store, opts.branch);
  const from = remote?.chain[0]!.id ?? null;
  const stats: PushStatsSummary = {
    commits: 0,
    bytesRead: 0,
    bytesSent: 0,
    blocksNew: 0,
    blocksReused: 0,
    packsSent: 0,
    seconds: 0,
  };
  const result = (pushed: string[]): PushResult => ({
    remote: opts.remote,
    location: store.location,
    branch: opts.branch,
    from,
    to: head,
    pushed,
    forced: opts.force === true && from !== null && !localIds.has(from),
    stats: { ...stats, commits: pushed.length, seconds: (Date.now() - started) / 1000 },
  });
  const track = async () =>
    moveTracking(ctx, withTracking(await loadRecord(ctx), opts.remote, opts.branch, head));
  if (from === head) {
    await track();
    return result([]);
  }
  if (from !== null && !localIds.has(from) && opts.force !== true) {
    const lacking = remote!.chain.filter((e) => !localIds.has(e.id)).map((e) => short(e.id));
    const shown =
      lacking.length > 5
        ? `${lacking.slice(0, 5).join(', ')} and ${lacking.length - 5} more`
        : lacking.join(', ');
    throw new DvolError(
      'conflict',
      `branch '${opts.branch}' in ${store.location} has ${lacking.length} commit${lacking.length === 1 ? '' : 's'} this volume lacks (${shown}), so the push was refused`,
      `fetch and look at them with 'dvol fetch ${opts.remote}' and 'dvol log ${opts.remote}/${opts.branch}', or overwrite them with 'dvol push --force'`,
    );
  }
  // Manifest digests of commits the remote has; the rest are pushed.
  const manifests = new Map<string, string>((remote?.chain ?? []).map((e) => [e.id, e.manifest]));
  const toPush: Commit[] = [];
  for (const c of local) {
    if (manifests.has(c.id)) break;
    const there = await store.resolve(commitTag(c.id));
    if (there) {
      manifests.set(c.id, there.digest);
      break;
    }
    toPush.push(c);
  }
  for (const c of local) {
    if (manifests.has(c.id) || toPush.includes(c)) continue;
    const there = await store.resolve(commitTag(c.id));
    if (!there)
      throw new DvolError(
        'corrupt',
        `commit ${short(c.id)} is missing from ${store.location}`,
        'push with --force',
      );
    manifests.set(c.id, there.digest);
  }
  toPush.reverse();
  // The tip is pushed again when the remote has it already (another branch), to carry history and the branch tag.
  if (toPush.length === 0 || toPush[toPush.length - 1]!.id !== head) toPush.push(local[0]!);
  const knownBlobs = await knownBlobsFile(ctx, store.location);
  const driver = ctx.driver(record);
  for (const [i, c] of toPush.entries()) {
    opts.signal?.throwIfAborted();
    opts.onProgress?.(`${opts.branch}: sending commit ${short(c.id)} (${i + 1}/${toPush.length})`);
    const isTip = c.id === head;
    const ancestors = local.slice(local.findIndex((l) => l.id === c.id) + 1);
    const history: HistoryEntry[] | undefined = isTip
      ? ancestors.map((a) => ({ ...commitInfo(a), manifest: manifests.get(a.id)! }))
      : undefined;
    let descriptor;
    if (c.dataDeleted)
      descriptor = await pushCommit(store, {
        commit: commitInfo(c),
        history,
        branch: isTip ? opts.branch : undefined,
      });
    else {
      const parentCommit = ancestors[0];
      let parent: ParentTree | undefined;
      if (parentCommit && !parentCommit.dataDeleted)
        parent = await loadParent(store, manifests.get(parentCommit.id)!);
      const tree = await pushTree(driver.commitPath(c.id), store, {
        parent,
        knownBlobs,
        signal: opts.signal,
        onPack: (pack) => {
          opts.onPack?.(pack);
          opts.onProgress?.(`${opts.branch}: stored a pack of ${packSize(pack.size)}`);
        },
      });
      stats.bytesRead += tree.stats.bytesRead;
      stats.bytesSent += tree.stats.bytesSent;
      stats.blocksNew += tree.stats.blocksNew;
      stats.blocksReused += tree.stats.blocksReused;
      stats.packsSent += tree.stats.packsSent;
      descriptor = await pushCommit(store, {
        commit: commitInfo(c),
        tree,
        history,
        branch: isTip ? opts.branch : undefined,
      });
    }
    manifests.set(c.id, descriptor.digest);
  }
  await track();
  return result(toPush.map((c) => c.id));
}
