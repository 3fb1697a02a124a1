// `dvol fetch [REMOTE]`: brings a remote's branches in as remote-tracking branches.

import type { FetchResult } from '../../api/routes.js';
import type { Command } from '../command.js';
import { transfer } from '../credentials.js';
import { plural, shortId } from '../format.js';
import { VOLUME_OPTION } from './remote.js';

/** git's fetch summary: `From LOCATION`, then a line per branch that moved. */
export function fetchLines(answer: FetchResult): string[] {
  const moved = answer.branches.filter((b) => b.from !== b.to);
  if (moved.length === 0) return [`From ${answer.location}`, 'Already up to date.'];
  const lines = [`From ${answer.location}`];
  for (const b of moved) {
    const range = b.from === null ? ' * [new branch]   ' : `   ${shortId(b.from)}..${shortId(b.to)}`;
    const got = b.imported.length > 0 ? ` (${plural(b.imported.length, 'commit')} received)` : '';
    lines.push(`${range}  ${b.branch} -> ${answer.remote}/${b.branch}${got}`);
  }
  return lines;
}

export const fetch: Command = {
  name: 'fetch',
  summary: "Bring in a remote's branches as remote-tracking branches",
  synopsis: ['fetch [--json] [--volume VOLUME] [REMOTE]'],
  description: `Receives every branch of REMOTE (default: origin) with the commits this volume lacks, keeping their ids, and records each as the remote-tracking branch REMOTE/BRANCH. Nothing a container sees changes: remote-tracking branches are never mounted. List them with 'dvol branch -r'; 'dvol log REMOTE/BRANCH' and 'dvol diff HEAD REMOTE/BRANCH' read them; 'dvol pull' moves the active branch to one.

Every blob is checked against its digest and every block against its hash.`,
  options: [VOLUME_OPTION],
  json: true,
  arity: [0, 1],
  async run(ctx, { opts, json, positionals: [remote = 'origin'] }) {
    const volume = await ctx.volume(opts.volume as string | undefined);
    const answer = await transfer(
      ctx,
      volume,
      remote,
      `Fetching ${remote} into ${volume}`,
      (auth, onProgress) =>
        ctx.api.call(
          'POST /dvol/volumes/:vol/fetch',
          { params: { vol: volume }, body: { remote, ...auth } },
          onProgress,
        ),
    );
    if (json) return ctx.print.json(answer);
    for (const line of fetchLines(answer)) ctx.print.line(line);
  },
};
