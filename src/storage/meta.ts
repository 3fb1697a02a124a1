// One volume's metadata on disk: volume.json (driver, branches and their heads, tags) and commit records.

import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { readJson, writeJsonAtomic, fsyncDir, isAtomicTemp } from './atomic.js';
import { DvolError } from './errors.js';
import type { DriverName } from './drivers/index.js';
import type { Commit } from './model.js';
import { ownDict } from './record-refs.js';

/** The content of volumes/NAME/volume.json. Every ref change rewrites it whole: one rename commits it. */
export interface VolumeRecord {
  name: string;
  driver: DriverName;
  options: Record<string, string>;
  createdAt: string;
  activeBranch: string;
  /** Branch name → tip commit id (null before the branch's first commit). */
  branches: Record<string, string | null>;
  tags: Record<string, { commit: string; date: string }>;
  /** Mounted by one container at a time (`-o exclusive=true`); absent means shared. */
  exclusive?: boolean;
  /**
   * Scheduled snapshots: commit id → the branch it was taken of and when. Each is a ref that keeps
   * its commit alive but moves no branch; retention removes it. Absent in volumes without any.
   */
  snapshots?: Record<string, SnapshotRef>;
  /**
   * Remote name → its URL and remote-tracking branches (branch name → the commit the remote's branch
   * tip was at the last push or fetch). Absent in volumes that never had a remote.
   */
  remotes?: Record<string, RemoteRecord>;
}

/** One scheduled snapshot's entry in volume.json. */
export interface SnapshotRef {
  branch: string;
  /** RFC 3339, when it was taken (the scheduler's clock). */
  date: string;
}

/** One remote of a volume, as volume.json keeps it. */
export interface RemoteRecord {
  url: string;
  branches: Record<string, string>;
}

/** Where one volume's files live. */
export class VolumePaths {
  constructor(readonly dir: string) {}
  get record(): string {
    return join(this.dir, 'volume.json');
  }
  get commits(): string {
    return join(this.dir, 'commits');
  }
  /** The driver's root. */
  get data(): string {
    return join(this.dir, 'data');
  }
  /** Intent file of an interrupted reset, rolled forward on open. */
  get journal(): string {
    return join(this.dir, 'journal.json');
  }
  commit(id: string): string {
    return join(this.commits, `${id}.json`);
  }
}

const COMMIT_ID = /^[0-9a-f]{40}$/;

/** A new random 40-hex commit id. */
export function newCommitId(): string {
  return randomBytes(20).toString('hex');
}

/**
 * Reads volume.json; undefined when absent, 'corrupt' when it is not a volume record. Branches, tags and
 * options come back as null-prototype objects, so no name can find an inherited key.
 */
export async function readVolumeRecord(paths: VolumePaths): Promise<VolumeRecord | undefined> {
  const raw = await readJson<unknown>(paths.record);
  if (raw === undefined) return undefined;
  const record = raw as Partial<VolumeRecord>;
  if (!isObject(raw) || typeof record.activeBranch !== 'string' || !isObject(record.branches)) {
    throw new DvolError(
      'corrupt',
      `${paths.record} is not a volume record (no active branch or branches)`,
      'restore it from a backup, or run dvol fsck',
    );
  }
  return {
    ...(raw as unknown as VolumeRecord),
    options: ownDict(Object.entries(isObject(record.options) ? record.options : {})),
    branches: ownDict(Object.entries(record.branches)),
    tags: ownDict(Object.entries(isObject(record.tags) ? record.tags : {})),
    ...(isObject(record.snapshots) ? { snapshots: ownDict(Object.entries(record.snapshots)) } : {}),
    ...(isObject(record.remotes) ? { remotes: readRemotes(record.remotes) } : {}),
  };
}

/** The remotes of a record as null-prototype objects, their tracking branches too. */
function readRemotes(raw: Record<string, unknown>): Record<string, RemoteRecord> {
  return ownDict(
    Object.entries(raw).map(([name, value]): [string, RemoteRecord] => {
      const r = isObject(value) ? value : {};
      const branches = isObject(r.branches) ? Object.entries(r.branches) : [];
      return [
        name,
        {
          url: typeof r.url === 'string' ? r.url : '',
          branches: ownDict(branches.filter((e): e is [string, string] => typeof e[1] === 'string')),
        },
      ];
    }),
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export async function writeVolumeRecord(paths: VolumePaths, record: VolumeRecord): Promise<void> {
  await writeJsonAtomic(paths.record, record);
}

/** Reads a commit record; 'not_found' when absent. */
export async function readCommit(paths: VolumePaths, id: string): Promise<Commit> {
  const commit = await readJson<Commit>(paths.commit(id));
  if (commit === undefined) {
    throw new DvolError('not_found', `commit ${id} does not exist`, "list commits with 'dvol log'");
  }
  return commit;
}

export async function writeCommit(paths: VolumePaths, commit: Commit): Promise<void> {
  await writeJsonAtomic(paths.commit(commit.id), commit);
}

/** Removes a commit record (absent is fine). */
export async function removeCommitRecord(paths: VolumePaths, id: string): Promise<void> {
  await rm(paths.commit(id), { force: true });
}

/** Ids of every commit record present; leftover temp files are removed on the way. */
export async function listCommitIds(paths: VolumePaths, removeTemps = false): Promise<string[]> {
  await mkdir(paths.commits, { recursive: true });
  const ids: string[] = [];
  for (const name of await readdir(paths.commits)) {
    if (isAtomicTemp(name)) {
      if (removeTemps) await rm(join(paths.commits, name), { force: true });
      continue;
    }
    const id = name.replace(/\.json$/, '');
    if (COMMIT_ID.test(id) && name.endsWith('.json')) ids.push(id);
  }
  if (removeTemps) await fsyncDir(paths.commits);
  return ids;
}

/** Reads every commit record of a volume into a map by id. */
export async function readAllCommits(paths: VolumePaths): Promise<Map<string, Commit>> {
  const all = new Map<string, Commit>();
  for (const id of await listCommitIds(paths)) all.set(id, await readCommit(paths, id));
  return all;
}
