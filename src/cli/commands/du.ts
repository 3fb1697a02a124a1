// `dvol du [VOLUME]`: what each commit and scheduled snapshot costs on disk.

import type { DuEntry } from '../../api/du.js';
import type { Command } from '../command.js';
import { humanSize, shortId, table } from '../format.js';

function only(e: { exclusive?: number }): string {
  return e.exclusive === undefined ? '?' : humanSize(e.exclusive);
}

function row(e: DuEntry): string[] {
  const kind = e.snapshotOf === undefined ? 'commit' : `snapshot of ${e.snapshotOf}`;
  const subject = e.commit.message.split('\n')[0] ?? '';
  return [shortId(e.commit.id), kind, e.commit.date.slice(0, 19) + 'Z', humanSize(e.bytes), only(e), subject];
}

export const du: Command = {
  name: 'du',
  summary: 'Show what each commit and scheduled snapshot costs on disk',
  synopsis: ['du [--json] [VOLUME]'],
  description: `Lists every commit and scheduled snapshot of VOLUME (default: the active volume) that still has data, newest first, with the apparent size of its data (SIZE) and the bytes only it holds (ONLY IT), which is what deleting it would free: 'dvol commit -d REF' deletes a commit's data, retention deletes snapshots ('dvol schedule'). Then the branches' working data, and the totals.

How ONLY IT is known depends on the driver, and is said under the table: plain, exactly (every commit is a full copy); btrfs, from qgroups when quotas are enabled (exact), else from the extents no other subvolume shares (an estimate: blocks shared only among commits deleted together are freed too, but counted for none of them); reflink, not at all ('?'). A total is the sum of what is known, so it is at least what deleting them all frees.`,
  options: [],
  json: true,
  arity: [0, 1],
  async run(ctx, { json, positionals: [explicit] }) {
    const volume = await ctx.volume(explicit);
    const { du: report } = await ctx.api.call('GET /dvol/volumes/:vol/du', { params: { vol: volume } });
    if (json) return ctx.print.json({ du: report });
    const rows = [
      ['ID', 'KIND', 'DATE', 'SIZE', 'ONLY IT', 'MESSAGE'],
      ...report.entries.map(row),
      ...report.branches.map((b) => [
        '',
        `branch ${b.name}`,
        '',
        humanSize(b.bytes),
        only(b),
        '(working data)',
      ]),
    ];
    ctx.print.write(table(rows));
    const total = (n: number | undefined) => (n === undefined ? 'unknown' : humanSize(n));
    ctx.print.line(
      `Only in commits: ${total(report.totals.commits)}; only in scheduled snapshots: ${total(report.totals.snapshots)}.`,
    );
    ctx.print.line(`(${report.driver}: ${report.method})`);
  },
};
