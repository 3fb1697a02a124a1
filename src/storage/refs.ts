// Ref resolution: HEAD, branch, tag, id or unique id prefix, followed by any number of ^ and ~N steps.

import { DvolError } from './errors.js';
import type { VolumeRecord } from './meta.js';
import type { Commit } from './model.js';

/** The fewest hex digits accepted as an id prefix (git's default abbreviation is 7; 4 is its minimum). */
export const MIN_PREFIX = 4;

/** What ref resolution needs from a volume. */
export interface RefContext {
  volume: string;
  record: VolumeRecord;
  commitIds: () => Promise<string[]>;
  readCommit: (id: string) => Promise<Commit>;
}

const REF = /^(.+?)((?:\^|~\d*)*)$/;

/** Resolves a ref to a commit record; 'invalid' for bad syntax or ambiguity, 'not_found' otherwise. */
export async function resolveRef(ctx: RefContext, ref: string): Promise<Commit> {
  const match = REF.exec(ref.trim());
  if (!match || ref.trim() === '') {
    throw new DvolError(
      'invalid',
      `invalid ref '${ref}'`,
      'use HEAD, HEAD^, HEAD~N, a branch, a tag or a commit id',
    );
  }
  const [, base = '', steps = ''] = match;
  let commit = await ctx.readCommit(await resolveBase(ctx, base, ref));
  let walked = 0;
  for (const step of steps.match(/\^|~\d*/g) ?? []) {
    const count = step === '^' || step === '~' ? 1 : Number(step.slice(1));
    for (let i = 0; i < count; i++) {
      if (commit.parent === null) {
        throw new DvolError(
          'not_found',
          `ref '${ref}' goes back past the first commit (${base} has ${walked} ancestor${walked === 1 ? '' : 's'})`,
          `see the history with 'dvol log'`,
        );
      }
      commit = await ctx.readCommit(commit.parent);
      walked++;
    }
  }
  return commit;
}

/** The commit id a base name stands for: branch names win over tags, tags over ids, as in git. */
async function resolveBase(ctx: RefContext, base: string, ref: string): Promise<string> {
  const { record, volume } = ctx;
  if (base === 'HEAD' || base in record.branches) {
    const branch = base === 'HEAD' ? record.activeBranch : base;
    const head = record.branches[branch];
    if (head === null || head === undefined) {
      throw new DvolError(
        'not_found',
        `branch '${branch}' of volume '${volume}' has no commits yet, so '${ref}' names nothing`,
        "commit first with 'dvol commit -m ...'",
      );
    }
    return head;
  }
  const tag = record.tags[base];
  if (tag) return tag.commit;
  if (!/^[0-9a-f]+$/i.test(base)) {
    throw new DvolError(
      'not_found',
      `no branch, tag or commit '${base}' in volume '${volume}'`,
      "list them with 'dvol branch', 'dvol tag' and 'dvol log'",
    );
  }
  return resolvePrefix(ctx, base.toLowerCase());
}

async function resolvePrefix(ctx: RefContext, prefix: string): Promise<string> {
  if (prefix.length < MIN_PREFIX) {
    throw new DvolError(
      'invalid',
      `commit id prefix '${prefix}' is too short`,
      `give at least ${MIN_PREFIX} hex digits of the id`,
    );
  }
  const candidates = (await ctx.commitIds()).filter((id) => id.startsWith(prefix)).sort();
  if (candidates.length === 1) return candidates[0] as string;
  if (candidates.length === 0) {
    throw new DvolError(
      'not_found',
      `no commit ${prefix} in volume '${ctx.volume}'`,
      "list commits with 'dvol log'",
    );
  }
  throw new DvolError(
    'invalid',
    `commit id prefix '${prefix}' is ambiguous: it matches ${candidates.join(', ')}`,
    'give more digits of the id',
  );
}
