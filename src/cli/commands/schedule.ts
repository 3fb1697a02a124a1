// `dvol schedule`: add, list, pause, resume or remove a volume's scheduled snapshots.

import type { ScheduleInfo } from '../../api/schedule.js';
import type { Command } from '../command.js';
import { usageError } from '../errors.js';
import { shortId, table } from '../format.js';

const ACTIONS = ['add', 'list', 'pause', 'resume', 'rm'];

/** `every 10m, keep 1d:1h, keep last 3` */
function rule(s: ScheduleInfo): string {
  return [
    `every ${s.every}`,
    ...(s.keep ? [`keep ${s.keep}`] : []),
    ...(s.keepLast ? [`keep last ${s.keepLast}`] : []),
  ].join(', ');
}

function lastRun(s: ScheduleInfo): string {
  if (!s.last || !s.lastRunAt) return 'never run';
  const what =
    s.last.result === 'taken'
      ? `snapshot ${shortId(s.last.commit ?? '')}${s.last.pruned ? `, pruned ${s.last.pruned}` : ''}`
      : s.last.result === 'skipped'
        ? 'skipped (no change)'
        : `failed: ${s.last.error ?? 'unknown error'}`;
  return `${s.lastRunAt}: ${what}`;
}

export const schedule: Command = {
  name: 'schedule',
  summary: 'Take snapshots of a volume on a schedule, and prune them',
  synopsis: [
    'schedule add [VOLUME] --every DURATION [--keep RULES] [--keep-last N]',
    'schedule list [--json]',
    'schedule pause|resume|rm [VOLUME]',
  ],
  description: `add makes the plugin snapshot VOLUME (default: the active volume) every DURATION (30s, 10m, 1h, 1d, 2w, or 1h30m): the first snapshot at once, and a run missed while the plugin was stopped is made once when it starts. Adding a schedule to a volume that has one replaces it. A scheduled snapshot is a commit that does not move the branch: it hangs off HEAD, so 'dvol status', 'dvol diff' and 'dvol reset --hard HEAD' still mean your own commit. It is skipped when the data equals the latest snapshot or HEAD. The containers using the volume are paused for it, as for 'dvol commit' (not on btrfs, whose snapshots are atomic). 'dvol log --scheduled' lists them; their ids work as refs everywhere (reset, diff, tag).

After each snapshot, retention deletes the scheduled snapshots of each branch that neither rule keeps: --keep WINDOW:EVERY,... keeps, for each pair, the newest snapshot of every EVERY-long period (aligned to midnight UTC, 1970) within WINDOW of now; --keep-last N keeps the newest N. Without either, every snapshot is kept. Retention never deletes a commit of yours, a tagged snapshot, a branch tip or anything a branch was made from.

list shows every schedule with its last and next run. pause stops the runs and resume starts them again (an overdue run is made at once); rm removes the schedule and keeps its snapshots. Schedules are kept in the plugin's state directory and survive restarts and upgrades.`,
  options: [
    { long: 'every', value: 'DURATION', description: 'Interval between snapshots (add).' },
    { long: 'keep', value: 'RULES', description: 'Retention rules like 24h:1h,7d:1d,4w:1w (add).' },
    { long: 'keep-last', value: 'N', description: 'Also keep the newest N snapshots (add).' },
  ],
  json: true,
  arity: [1, 2],
  async run(ctx, { opts, json, positionals: [action = '', explicit] }) {
    if (!ACTIONS.includes(action)) {
      throw usageError(`unknown action '${action}': use ${ACTIONS.join(', ')}`, 'schedule');
    }
    if (
      action !== 'add' &&
      (opts.every !== undefined || opts.keep !== undefined || opts['keep-last'] !== undefined)
    ) {
      throw usageError('--every, --keep and --keep-last go with add', 'schedule');
    }
    if (action === 'list') {
      if (explicit !== undefined) throw usageError('usage: dvol schedule list [--json]', 'schedule');
      const { schedules } = await ctx.api.call('GET /dvol/schedules');
      if (json) return ctx.print.json({ schedules });
      if (schedules.length === 0)
        return ctx.print.line("No schedules; add one with 'dvol schedule add --every 10m'.");
      return ctx.print.write(
        table([
          ['VOLUME', 'RULE', 'NEXT RUN', 'LAST RUN'],
          ...schedules.map((s) => [s.volume, rule(s), s.paused ? 'paused' : (s.nextRunAt ?? ''), lastRun(s)]),
        ]),
      );
    }
    const volume = await ctx.volume(explicit);
    if (action === 'rm') {
      await ctx.api.call('DELETE /dvol/volumes/:vol/schedule', { params: { vol: volume } });
      return ctx.print.line(`Removed the schedule of ${volume}; its snapshots are kept.`);
    }
    if (action === 'pause' || action === 'resume') {
      await ctx.api.call(
        action === 'pause'
          ? 'POST /dvol/volumes/:vol/schedule/pause'
          : 'POST /dvol/volumes/:vol/schedule/resume',
        { params: { vol: volume } },
      );
      return ctx.print.line(`${action === 'pause' ? 'Paused' : 'Resumed'} the schedule of ${volume}.`);
    }
    if (typeof opts.every !== 'string')
      throw usageError('add needs --every DURATION, e.g. --every 10m', 'schedule');
    const keepLast = opts['keep-last'] === undefined ? 0 : Number(opts['keep-last']);
    if (!Number.isInteger(keepLast) || keepLast < 0)
      throw usageError('N of --keep-last must be a whole number', 'schedule');
    const { schedule: added } = await ctx.api.call('POST /dvol/volumes/:vol/schedule', {
      params: { vol: volume },
      body: { every: opts.every, ...(typeof opts.keep === 'string' ? { keep: opts.keep } : {}), keepLast },
    });
    ctx.print.line(`Scheduled snapshots of ${volume}: ${rule(added)}.`);
  },
};
