// `dvol status [VOLUME]`: the active branch, its latest commit, and whether there are uncommitted changes.

import type { Answer } from '../../api/routes.js';
import type { Command } from '../command.js';
import { counts } from '../diff-format.js';
import { humanSize, shortId } from '../format.js';

/** The diff summary answer status is built from. */
type Summary = Pick<Answer<'GET /dvol/volumes/:vol/diff'>, 'from' | 'branch' | 'totals'>;

/** The lines `dvol status` prints. */
export function statusLines(volume: string, { from: head, branch, totals }: Summary): string[] {
  const lines = [`On volume ${volume}, branch ${branch}`];
  lines.push(head ? `HEAD ${shortId(head.id)} ${head.message.split('\n')[0] ?? ''}` : 'No commits yet');
  const n = totals.added + totals.modified + totals.deleted + totals.typeChanged;
  if (n === 0) {
    lines.push('nothing to commit, working data clean');
    return lines;
  }
  lines.push(`Uncommitted changes: ${counts(totals)} (${humanSize(totals.bytesChanged)} changed).`);
  lines.push(`  (use "dvol diff -v" to see them, "dvol commit -m ..." to commit them,`);
  lines.push(`   or "dvol reset --hard HEAD" to discard them)`);
  return lines;
}

export const status: Command = {
  name: 'status',
  summary: 'Show the active branch, its latest commit and uncommitted changes',
  synopsis: ['status [--json] [VOLUME]'],
  description: `Shows which branch of VOLUME (default: the active volume) is active, its latest commit (HEAD), and whether the working data has uncommitted changes, with how many paths were added, modified and deleted and how much data changed. 'dvol diff -v' lists them.`,
  options: [],
  json: true,
  arity: [0, 1],
  async run(ctx, { json, positionals: [explicit] }) {
    const volume = await ctx.volume(explicit);
    const summary = await ctx.print.progress(`Checking ${volume}`, () =>
      ctx.api.call('GET /dvol/volumes/:vol/diff', { params: { vol: volume }, query: { summary: '1' } }),
    );
    if (json) {
      const { totals } = summary;
      const dirty = totals.added + totals.modified + totals.deleted + totals.typeChanged > 0;
      return ctx.print.json({ volume, branch: summary.branch, head: summary.from, dirty, totals });
    }
    for (const line of statusLines(volume, summary)) ctx.print.line(line);
  },
};
