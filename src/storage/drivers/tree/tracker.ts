// Change detection for copy-based drivers (plain, reflink): records a manifest of each branch when it
// is known to equal a commit, and answers hasChanges by walking the branch against it.

import fs from 'node:fs';
import path from 'node:path';

import { diffTree } from './compare.js';
import type { Difference } from './compare.js';
import {
  ManifestBuilder,
  filesystemNow,
  joinEntries,
  loadManifest,
  removeManifest,
  saveManifest,
} from './manifest.js';
import type { Manifest } from './manifest.js';
import { walkFingerprints } from './walk-parallel.js';

/** Every path of a tree, in walk order. */
async function sortedPaths(root: string): Promise<string[]> {
  const paths: string[] = [];
  for await (const batch of walkFingerprints(root)) for (const e of batch) paths.push(e.path);
  return paths;
}

/** What createBranch makes, for when its manifest was lost: a 0755 directory of the running user. */
const EMPTY_BRANCH_ROOT = { mode: 0o40755, uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };

/** Manifests of one volume's branches, kept as `<dir>/<branch>.json`. */
export class ChangeTracker {
  constructor(private readonly dir: string) {}

  private file(branch: string): string {
    return path.join(this.dir, `${branch}.json`);
  }

  /** The filesystem's time now (the manifests live on the data's filesystem). */
  now(): bigint {
    return filesystemNow(this.dir);
  }

  /**
   * Walks a branch before it is copied into a commit. Writes made after this walk starts may be in
   * the copy or not; their entries get a ctime at or after `since`, so they are compared later.
   */
  async beforeSnapshot(branchDir: string): Promise<{ builder: ManifestBuilder; since: bigint }> {
    const since = this.now();
    const builder = new ManifestBuilder();
    for await (const batch of walkFingerprints(branchDir)) for (const e of batch) builder.add(e.path, e.fp);
    return { builder, since };
  }

  /**
   * Stores the manifest of a snapshot once the commit exists. Paths that appeared in the commit after
   * the walk are added untrusted, so that the manifest lists every path of the commit.
   */
  async afterSnapshot(
    branch: string,
    walked: { builder: ManifestBuilder; since: bigint },
    commit: string,
    commitDir: string,
  ): Promise<void> {
    walked.builder.addUntrusted(await sortedPaths(commitDir));
    await this.save(branch, walked.builder.build(commit, walked.since));
  }

  /**
   * Walks a fresh copy of a commit while no one else can see it yet; call `seal` on the result right
   * before renaming the copy into place: writes can only come after that moment.
   */
  async recordCopy(copyDir: string, commit: string | null): Promise<{ seal(): Manifest }> {
    const builder = new ManifestBuilder();
    const top = fs.lstatSync(copyDir);
    const root = { mode: top.mode, uid: top.uid, gid: top.gid };
    for await (const batch of walkFingerprints(copyDir)) for (const e of batch) builder.add(e.path, e.fp);
    return {
      seal: () => {
        const manifest = builder.build(commit, this.now());
        return commit === null ? { ...manifest, root } : manifest;
      },
    };
  }

  /**
   * Stores a branch's manifest, best effort: it is only a cache, and the data operation it follows has
   * already succeeded. If it cannot be written (a full disk), the stale one is dropped instead, and
   * the next hasChanges falls back to a full comparison.
   */
  async save(branch: string, manifest: Manifest): Promise<void> {
    try {
      await saveManifest(this.file(branch), manifest);
    } catch {
      await removeManifest(this.file(branch)).catch(() => undefined);
    }
  }

  /** Forgets a branch's manifest (before its data is replaced or removed). */
  async forget(branch: string): Promise<void> {
    await removeManifest(this.file(branch));
  }

  /**
   * Every difference between a branch and a commit (null: an empty directory). Without a manifest for
   * that commit, every entry is compared, and a manifest is rebuilt when they turn out equal.
   */
  async *differences(
    branch: string,
    branchDir: string,
    commit: string | null,
    commitDir: string | null,
  ): AsyncGenerator<Difference> {
    const stored = await loadManifest(this.file(branch));
    let known: Manifest;
    if (stored !== undefined && stored.commit === commit) known = stored;
    else if (commitDir === null) known = { commit: null, entries: '', root: EMPTY_BRANCH_ROOT };
    else {
      const paths = await sortedPaths(commitDir);
      known = {
        commit,
        entries: joinEntries(
          paths,
          paths.map(() => ''),
        ),
      };
    }
    yield* diffTree({
      since: this.now(),
      branch: branchDir,
      commit: commitDir,
      known,
      onClean: (fresh) => this.save(branch, fresh),
    });
  }

  /** Whether the branch differs from the commit; stops at the first difference. */
  async hasChanges(branch: string, branchDir: string, commit: string | null, commitDir: string | null) {
    for await (const _ of this.differences(branch, branchDir, commit, commitDir)) return true;
    return false;
  }
}
