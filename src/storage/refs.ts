// Ref resolution: HEAD, branch, tag, id or unique id prefix, followed by any number of ^ and ~N steps.

import { DvolError } from './errors.js';
import type { VolumeRecord } from './meta.js';
import type { Commit } from './model.js';
import { quote } from './names.js';
import { branchHead, hasBranch, tagOf } from './record-refs.js';
import { trackingRef } from './remote-refs.js';

/** The fewest hex digits accepted as an id prefix (git's default abbreviation is 7; 4 is its minimum). */
export const MIN_PREFIX = 4;

/** What ref resolution needs from a volume. */
export interface RefContext {
  volume: string;
  record: VolumeRecord;
  commitIds: () => Promise<string[]>;
  readCommit: (id: string) => Promise<Commit>;
}

/** The longest ref accepted: a name (64) with plenty of steps; anything longer is refused unread. */
export const MAX_REF = 256;

/** Resolves a ref to a commit record; 'invalid' for bad syntax or ambiguity, 'not_found' otherwise. */
export async function resolveRef(ctx: RefContext, ref: string): Promise<Commit> {
  if (ref.length > MAX_REF) {
    throw new DvolError(
      'invalid',
      `invalid ref ${quote(ref)}: it is longer than ${MAX_REF} characters`,
      'use HEAD, HEAD^, HEAD~N, a branch, a tag or a commit id',
    );
  }
  const { base, steps } = splitRef(ref.trim());
  if (base === '') {
    throw new DvolError(
      'invalid',
      `invalid ref ${quote(ref)}`,
      'use HEAD, HEAD^, HEAD~N, a branch, a tag or a commit id',
    );
  }
  let commit = await ctx.readCommit(await resolveBase(ctx, base, ref));
  let walked = 0;
  for (const count of steps) {
    for (let i = 0; i < count; i++) {
      if (commit.parent === null) {
        throw new DvolError(
          'not_found',
          `ref ${quote(ref)} goes back past the first commit (${base} has ${walked} ancestor${walked === 1 ? '' : 's'})`,
          `see the history with 'dvol log'`,
        );
      }
      commit = await ctx.readCommit(commit.parent);
      walked++;
    }
  }
  return commit;
}

/**
 * Splits a ref into its base and the counts of its trailing `^` and `~N` steps, scanning back from the
 * end once (linear time: a backtracking regex was quadratic on input like 'a~~~…~!'). The base is
 * what precedes the longest run of steps, as in git; '' when the ref is all steps.
 */
export function splitRef(ref: string): { base: string; steps: number[] } {
  const steps: number[] = [];
  let end = ref.length;
  for (;;) {
    let digits = end;
    while (digits > 0 && isDigit(ref.charCodeAt(digits - 1))) digits--;
    if (digits > 0 && ref[digits - 1] === '~') {
      steps.push(digits === end ? 1 : Number(ref.slice(digits, end)));
      end = digits - 1;
    } else if (digits === end && end > 0 && ref[end - 1] === '^') {
      steps.push(1);
      end--;
    } else {
      break;
    }
  }
  return { base: ref.slice(0, end), steps: steps.reverse() };
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** The commit id a base name stands for: branch names win over tags, tags over ids, as in git. */
async function resolveBase(ctx: RefContext, base: string, ref: string): Promise<string> {
  const { record, volume } = ctx;
  if (base === 'HEAD' || hasBranch(record, base)) {
    const branch = base === 'HEAD' ? record.activeBranch : base;
    const head = branchHead(record, branch);
    if (head === null || head === undefined) {
      throw new DvolError(
        'not_found',
        `branch '${branch}' of volume '${volume}' has no commits yet, so ${quote(ref)} names nothing`,
        "commit first with 'dvol commit -m ...'",
      );
    }
    return head;
  }
  const tag = tagOf(record, base);
  if (tag) return tag.commit;
  const tracking = trackingRef(record, base);
  if (tracking !== undefined) return tracking;
  if (!/^[0-9a-f]+$/i.test(base)) {
    throw new DvolError(
      'not_found',
      `no branch, tag or commit ${quote(base)} in volume '${volume}'`,
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
      `no commit ${quote(prefix)} in volume '${ctx.volume}'`,
      "list commits with 'dvol log'",
    );
  }
  throw new DvolError(
    'invalid',
    `commit id prefix ${quote(prefix)} is ambiguous: it matches ${candidates.join(', ')}`,
    'give more digits of the id',
  );
}
