// Change detection for copy-based drivers (plain, reflink): records a manifest of each branch when it
// is known to equal a commit, and answers hasChanges by walking the branch against it.

import path from 'node:path';

import { diffTree } from './compare.js';
import type { Difference } from './compare.js';
import { ManifestBuilder, loadManifest, nowNs, removeManifest, saveManifest } from './manifest.js';
import type { Manifest } from './manifest.js';
import { walkNames, walkTree } from './walk.js';

/** Manifests of one volume's branches, kept as `<dir>/<branch>.json`. */
export class ChangeTracker {
  constructor(private readonly dir: string) {}

  private file(branch: string): string {
    return path.join(this.dir, `${branch}.json`);
  }

  /**
   * Walks a branch before it is copied into a commit. Writes made after this walk starts may be in
   * the copy or not; their entries are either racy or have a newer ctime, so they are compared later.
   */
  async beforeSnapshot(branchDir: string): Promise<ManifestBuilder> {
    const builder = new ManifestBuilder(nowNs());
    for await (const e of walkTree(branchDir)) builder.add(e.path, e.stat);
    return builder;
  }

  /**
   * Stores the manifest of a snapshot once the commit exists. Paths that appeared in the commit after
   * the walk are added untrusted, so that the manifest lists every path of the commit.
   */
  async afterSnapshot(branch: string, builder: ManifestBuilder, commit: string, commitDir: string) {
    for await (const p of walkNames(commitDir)) if (!builder.entries.has(p)) builder.entries.set(p, '');
    await saveManifest(this.file(branch), builder.build(commit));
  }

  /**
   * Walks a fresh copy of a commit while no one else can see it yet (before it is renamed into place),
   * so writes can only come after the walk starts: entries with a ctime near that moment stay racy.
   */
  async recordCopy(copyDir: string, commit: string | null): Promise<Manifest> {
    const builder = new ManifestBuilder(nowNs());
    let root: Manifest['root'];
    for await (const e of walkTree(copyDir)) {
      builder.add(e.path, e.stat);
      if (e.path === '')
        root = { mode: Number(e.stat.mode), uid: Number(e.stat.uid), gid: Number(e.stat.gid) };
    }
    return commit === null ? { ...builder.build(null), root } : builder.build(commit);
  }

  async save(branch: string, manifest: Manifest): Promise<void> {
    await saveManifest(this.file(branch), manifest);
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
    else if (commitDir === null) known = { commit: null, entries: new Map() };
    else {
      const entries = new Map<string, string>();
      for await (const p of walkNames(commitDir)) entries.set(p, '');
      known = { commit, entries };
    }
    yield* diffTree({
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
