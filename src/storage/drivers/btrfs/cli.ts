// Thin wrappers over the btrfs-progs commands the btrfs driver needs, each one argv array, no shell.

import { run } from '../exec.js';

/** Creates an empty writable subvolume at `target` (its parent must exist, `target` must not). */
export async function createSubvolume(target: string): Promise<void> {
  await run('btrfs', ['subvolume', 'create', target], `creating btrfs subvolume '${target}'`);
}

/**
 * Snapshots subvolume `source` to `target` (which must not exist: btrfs would nest the snapshot
 * inside an existing directory). The kernel flushes the source's dirty data first and commits the
 * transaction before returning, so the snapshot is complete and durable when this resolves.
 */
export async function snapshotSubvolume(source: string, target: string, readOnly: boolean): Promise<void> {
  const args = ['subvolume', 'snapshot', ...(readOnly ? ['-r'] : []), source, target];
  await run('btrfs', args, `snapshotting '${source}' to '${target}'`);
}

/**
 * Deletes subvolumes (read-only ones too). With `commit` (the default) it waits for the transaction
 * commit (`-c`), so the deletion is durable when this resolves; temporary snapshots skip that wait
 * because cleanup() removes them after a crash anyway. The kernel's cleaner frees the space later.
 */
export async function deleteSubvolumes(
  targets: string[],
  opts: { commit: boolean } = { commit: true },
): Promise<void> {
  if (targets.length === 0) return;
  const args = ['subvolume', 'delete', ...(opts.commit ? ['-c'] : []), ...targets];
  await run('btrfs', args, `deleting btrfs subvolume '${targets.join("', '")}'`);
}

/** The two transaction ids of a subvolume that change detection relies on. */
export interface SubvolumeGenerations {
  /** Transaction that last changed the subvolume (as committed: sync first to see recent writes). */
  generation: number;
  /** Transaction that created it ("Gen at creation"). */
  created: number;
}

/** Reads a subvolume's generation numbers from `btrfs subvolume show`. */
export async function subvolumeGenerations(target: string): Promise<SubvolumeGenerations> {
  const { stdout } = await run('btrfs', ['subvolume', 'show', target], `reading subvolume '${target}'`);
  const field = (label: string): number => {
    const match = new RegExp(`^\\s*${label}:\\s*(\\d+)\\s*$`, 'm').exec(stdout);
    if (!match?.[1]) throw new Error(`'btrfs subvolume show ${target}' printed no ${label}`);
    return Number(match[1]);
  };
  return { generation: field('Generation'), created: field('Gen at creation') };
}

/** Commits the current transaction of the filesystem holding `target` (data and metadata). */
export async function syncBtrfs(target: string): Promise<void> {
  await run('btrfs', ['filesystem', 'sync', target], `syncing the btrfs filesystem of '${target}'`);
}

/** Sets a btrfs property (e.g. compression) on a subvolume or file. */
export async function setProperty(target: string, name: string, value: string): Promise<void> {
  await run('btrfs', ['property', 'set', target, name, value], `setting ${name}=${value} on '${target}'`);
}

/** Sets the no-copy-on-write attribute (`chattr +C`): new files created below inherit it. */
export async function setNoCow(target: string): Promise<void> {
  await run('chattr', ['+C', target], `disabling copy-on-write on '${target}'`);
}

/** The filesystem type name of the filesystem holding `dir` (`stat -f -c %T`), e.g. 'btrfs', 'ext2/ext3'. */
export async function filesystemType(dir: string): Promise<string> {
  const { stdout } = await run('stat', ['-f', '-c', '%T', dir], `reading the filesystem type of '${dir}'`);
  return stdout.trim();
}
