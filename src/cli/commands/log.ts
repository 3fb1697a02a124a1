// `dvol log`: the commits of the active branch (or from a ref), newest first, git-style; or the
// branch's scheduled snapshots.

import type { Command } from '../command.js';
import { usageError } from '../errors.js';
import { formatLog } from '../format.js';

export const log: Command = {
  name: 'log',
  summary: 'List commits on the active volume and branch',
  synopsis: [
    'log [-n COUNT] [--json] [VOLUME]',
    'log [-n COUNT] [--json] REF [VOLUME]',
    'log [-n COUNT] --scheduled [--json] [VOLUME]',
  ],
  description: `Shows the commits of the active branch of VOLUME (default: the active volume), newest first, including those inherited from the branch it was made from: the commit id, author, date (UTC, in git's default format) and message, as 'git log' prints them.

With REF, shows the commits from REF back instead: a branch, a tag, a commit id, or a remote-tracking branch such as origin/master. A single argument is VOLUME unless it contains '/' (no volume name does), so 'dvol log origin/master' reads the remote-tracking branch of the active volume; with two arguments the first is REF.

With --scheduled, shows the active branch's scheduled snapshots instead ('dvol schedule'), newest first, each marked '(scheduled)'; with --json each carries 'kept': true when a tag, a branch tip or a branch made from it keeps it from retention.`,
  options: [
    { long: 'max-count', short: 'n', value: 'COUNT', description: 'Show at most COUNT commits.' },
    { long: 'scheduled', description: 'Show the scheduled snapshots of the branch.' },
  ],
  json: true,
  arity: [0, 2],
  async run(ctx, { opts, json, positionals }) {
    const [ref, explicit] =
      positionals.length === 2 || positionals[0]?.includes('/') ? positionals : [undefined, positionals[0]];
    const max = opts['max-count'] === undefined ? Infinity : Number(opts['max-count']);
    if (!Number.isInteger(max) && max !== Infinity) throw usageError('COUNT must be a whole number', 'log');
    if (max < 0) throw usageError('COUNT must not be negative', 'log');
    if (opts.scheduled && ref !== undefined) throw usageError('--scheduled takes no REF', 'log');
    const volume = await ctx.volume(explicit);
    if (opts.scheduled) {
      const { volume: info } = await ctx.api.call('GET /dvol/volumes/:vol', { params: { vol: volume } });
      const { snapshots } = await ctx.api.call('GET /dvol/volumes/:vol/snapshots', {
        params: { vol: volume },
        query: { branch: info.activeBranch },
      });
      const shown = snapshots.slice(0, max);
      if (json) return ctx.print.json({ snapshots: shown });
      if (shown.length === 0)
        return ctx.print.line(`Branch ${info.activeBranch} of ${volume} has no scheduled snapshots.`);
      return ctx.print.write(
        formatLog(
          shown.map((s) => s.commit),
          (s) => ctx.print.paint('yellow', s),
        ),
      );
    }
    const { commits } = await ctx.api.call('GET /dvol/volumes/:vol/commits', {
      params: { vol: volume },
      query: ref === undefined ? {} : { ref },
    });
    const shown = commits.slice(0, max);
    if (json) return ctx.print.json({ commits: shown });
    if (commits.length === 0)
      return ctx.print.line(`Volume ${volume} has no commits yet on its active branch.`);
    ctx.print.write(formatLog(shown, (s) => ctx.print.paint('yellow', s)));
  },
};
