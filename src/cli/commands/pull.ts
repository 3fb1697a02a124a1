// `dvol pull [REMOTE [BRANCH]]`: fetch, then fast-forward the active branch.

import type { PullAnswer } from '../../api/routes.js';
import type { Command } from '../command.js';
import { transfer } from '../credentials.js';
import { shortId } from '../format.js';
import { restartedLine } from './checkout.js';
import { fetchLines } from './fetch.js';
import { VOLUME_OPTION } from './remote.js';

export function pullLines(answer: PullAnswer): string[] {
  const { pull } = answer;
  const lines = fetchLines(answer.fetch).filter((l) => l !== 'Already up to date.');
  if (pull.outcome === 'up-to-date' || pull.outcome === 'ahead') lines.push('Already up to date.');
  else {
    const from = pull.from === null ? 'nothing' : shortId(pull.from);
    if (pull.stash) lines.push(`Kept the diverged local tip ${from} as branch ${pull.stash}.`);
    lines.push(
      `Updating ${from}..${shortId(pull.to ?? '')}`,
      pull.stash ? 'Reset to theirs.' : 'Fast-forward',
    );
  }
  if (answer.restarted.length > 0) lines.push(restartedLine(answer.restarted));
  return lines;
}

export const pull: Command = {
  name: 'pull',
  summary: 'Fetch a branch and fast-forward the active branch to it',
  synopsis: ['pull [--stash] [--json] [--volume VOLUME] [REMOTE [BRANCH]]'],
  description: `Fetches BRANCH (default: the name of the active branch) from REMOTE (default: origin), then moves the active branch of VOLUME forward to REMOTE/BRANCH, only when that is a fast-forward (the local tip is one of its commits).

The pull is refused while the volume has uncommitted changes (commit them, or discard them with 'dvol reset --hard HEAD'), and when the branches have diverged: then --stash keeps the local tip as a branch named BRANCH-diverged-TIME and moves the active branch to the remote's tip.

Running containers that use the volume are stopped, the data is replaced, and the containers dvol stopped are started again, as for 'dvol reset'.`,
  options: [
    { long: 'stash', description: 'On divergence, keep the local tip as a branch and take the remote tip.' },
    VOLUME_OPTION,
  ],
  json: true,
  arity: [0, 2],
  async run(ctx, { opts, json, positionals: [remote = 'origin', branch] }) {
    const volume = await ctx.volume(opts.volume as string | undefined);
    const answer = await transfer(
      ctx,
      volume,
      remote,
      `Pulling ${remote} into ${volume}`,
      (auth, onProgress) =>
        ctx.api.call(
          'POST /dvol/volumes/:vol/pull',
          {
            params: { vol: volume },
            body: { remote, ...(branch ? { branch } : {}), stash: opts.stash === true, ...auth },
          },
          onProgress,
        ),
    );
    if (json) return ctx.print.json(answer);
    for (const line of pullLines(answer)) ctx.print.line(line);
  },
};
