// What a volume's refs and commits are, read through the API, and its data as byte-for-byte
// fingerprints read from the state directory (the copy drivers' layout: data/branches/B, data/commits/ID).
import { join } from 'node:path';
import type { Client } from './dvolapi.js';
import { treeHash } from './tree.js';

export interface CommitRecord {
  id: string;
  parent: string | null;
  dataDeleted?: boolean;
}

/** A volume's refs and the commits they reach. */
export interface Refs {
  active: string;
  branches: Map<string, string | null>;
  tags: Map<string, string>;
  commits: Map<string, CommitRecord>;
}

async function ok(client: Client, path: string): Promise<Record<string, unknown>> {
  const answer = await client('GET', path);
  if (answer.status !== 200) throw new Error(`GET ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/** The refs of `volume` and every commit reachable from them. */
export async function readRefs(client: Client, volume: string): Promise<Refs> {
  const branches = (await ok(client, `/dvol/volumes/${volume}/branches`)).branches as {
    name: string;
    head: string | null;
    active: boolean;
  }[];
  const tags = (await ok(client, `/dvol/volumes/${volume}/tags`)).tags as { name: string; commit: string }[];
  const commits = new Map<string, CommitRecord>();
  const tips = [...branches.filter((b) => b.head !== null).map((b) => b.name), ...tags.map((t) => t.name)];
  for (const ref of tips) {
    const log = (await ok(client, `/dvol/volumes/${volume}/commits?ref=${encodeURIComponent(ref)}`))
      .commits as CommitRecord[];
    for (const c of log)
      commits.set(c.id, { id: c.id, parent: c.parent, dataDeleted: c.dataDeleted ?? false });
  }
  return {
    active: branches.find((b) => b.active)?.name ?? '',
    branches: new Map(branches.map((b) => [b.name, b.head])),
    tags: new Map(tags.map((t) => [t.name, t.commit])),
    commits,
  };
}

/** Where the copy drivers keep a volume's data under the state directory. */
export function dataDirs(state: string, volume: string) {
  const root = join(state, 'volumes', volume, 'data');
  return {
    branch: (name: string) => join(root, 'branches', name),
    commit: (id: string) => join(root, 'commits', id),
  };
}

/** Fingerprints of every branch's working data. */
export async function branchHashes(state: string, volume: string, refs: Refs): Promise<Map<string, string>> {
  const dirs = dataDirs(state, volume);
  const out = new Map<string, string>();
  for (const name of refs.branches.keys()) out.set(name, await treeHash(dirs.branch(name)));
  return out;
}
