// fsck of one volume: every invariant between volume.json, commit records and the driver's data.

import { access } from 'node:fs/promises';
import { loadRecord, type VolumeContext } from './context.js';
import { reachableFrom, refTargets } from './gc.js';
import { readAllCommits } from './meta.js';
import type { FsckProblem } from './model.js';
import { nameProblem, quote } from './names.js';
import { hasBranch, snapshotsOf } from './record-refs.js';

/** Checks one volume; resolves to its problems (empty when healthy). Caller holds the volume's lock. */
export async function fsckVolume(ctx: VolumeContext): Promise<FsckProblem[]> {
  const problems: FsckProblem[] = [];
  const report = (kind: string, message: string) => problems.push({ volume: ctx.name, kind, message });
  const record = await loadRecord(ctx);
  const commits = await readAllCommits(ctx.paths);
  const data = await ctx.driver(record).list();

  if (!hasBranch(record, record.activeBranch)) {
    report(
      'active-branch-missing',
      `the active branch ${quote(record.activeBranch)} is not a branch of the volume`,
    );
  }
  // A name no check would accept now (a hand-edited file, or a bug that skipped the check) is a finding.
  for (const [kind, names] of [
    ['branch', Object.keys(record.branches)],
    ['tag', Object.keys(record.tags)],
  ] as const) {
    for (const name of names) {
      const why = nameProblem(kind, name);
      if (why) report('bad-ref-name', `${kind} ${quote(name)} has an invalid name: ${why}`);
    }
  }
  const refs: [string, string | null][] = [
    ...Object.entries(record.branches).map(([b, head]): [string, string | null] => [`branch '${b}'`, head]),
    ...Object.entries(record.tags).map(([t, tag]): [string, string | null] => [`tag '${t}'`, tag.commit]),
    ...snapshotsOf(record).map(([id]): [string, string | null] => [`snapshot ${id}`, id]),
  ];
  for (const [id, snap] of snapshotsOf(record)) {
    if (!hasBranch(record, snap.branch)) {
      report(
        'snapshot-unknown-branch',
        `snapshot ${id} names branch ${quote(snap.branch)}, which does not exist`,
      );
    }
  }
  for (const [ref, id] of refs) {
    if (id === null) continue;
    const commit = commits.get(id);
    if (!commit) report('ref-missing-commit', `${ref} points at commit ${id}, which has no record`);
    else if (commit.dataDeleted && !ref.startsWith('snapshot '))
      report('ref-deleted-data', `${ref} points at commit ${id}, whose data was deleted`);
  }
  for (const [id, commit] of commits) {
    if (commit.id !== id) report('bad-commit-id', `the record of commit ${id} names itself ${commit.id}`);
    if (commit.parent !== null && !commits.has(commit.parent)) {
      report('bad-parent', `commit ${id} names parent ${commit.parent}, which has no record`);
    }
  }
  const reachable = reachableFrom(refTargets(record), commits);
  for (const id of commits.keys()) {
    if (!reachable.has(id)) report('orphan-commit', `commit ${id} is not reachable from any branch or tag`);
  }
  const withData = new Set(data.commits);
  for (const [id, commit] of commits) {
    if (!commit.dataDeleted && !withData.has(id)) report('commit-missing-data', `commit ${id} has no data`);
  }
  for (const id of data.commits) {
    const commit = commits.get(id);
    if (!commit) report('orphan-data', `data of commit ${id} exists without a commit record`);
    else if (commit.dataDeleted)
      report('orphan-data', `data of commit ${id} exists but it is marked deleted`);
  }
  const branchData = new Set(data.branches);
  for (const branch of Object.keys(record.branches)) {
    if (!branchData.has(branch)) report('branch-missing-data', `branch '${branch}' has no data`);
  }
  for (const branch of data.branches) {
    if (!hasBranch(record, branch))
      report('orphan-branch-data', `data of branch '${branch}' exists without a ref`);
  }
  if (await exists(ctx.paths.journal)) {
    report(
      'interrupted-reset',
      `${ctx.paths.journal} remains from an interrupted reset; reopen the store to finish it`,
    );
  }
  return problems;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
