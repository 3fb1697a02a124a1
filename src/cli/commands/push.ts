// `dvol push [REMOTE [BRANCH]]`: sends the commits of a branch that the remote lacks.

import type { PushAnswer } from '../../api/routes.js';
import type { Command } from '../command.js';
import { transfer } from '../credentials.js';
import { humanSize, plural, shortId } from '../format.js';
import { VOLUME_OPTION } from './remote.js';

/** git's summary of a push: where it went, then `old..new  branch -> branch`. */
export function pushLines(answer: PushAnswer): string[] {
  if (answer.pushed.length === 0) return [`To ${answer.location}`, 'Everything up-to-date'];
  const { stats } = answer;
  const range =
    answer.from === null
      ? ' * [new branch]     '
      : answer.forced
        ? ` + ${shortId(answer.from)}...${shortId(answer.to)}`
        : `   ${shortId(answer.from)}..${shortId(answer.to)} `;
  const forced = answer.forced ? ' (forced update)' : '';
  return [
    `To ${answer.location}`,
    `${range}  ${answer.branch} -> ${answer.branch}${forced}`,
    `${plural(stats.commits, 'commit')}, ${humanSize(stats.bytesSent)} sent, ${plural(stats.blocksReused, 'block')} reused, ${stats.seconds.toFixed(1)} s`,
  ];
}

export const push: Command = {
  name: 'push',
  summary: 'Send commits of a branch to a remote',
  synopsis: ['push [--force] [--json] [--volume VOLUME] [REMOTE [BRANCH]]'],
  description: `Sends every commit of BRANCH (default: the active branch) that REMOTE (default: origin) does not have yet, oldest first, then moves the remote's branch to the local tip, and REMOTE/BRANCH with it. Only blocks the remote lacks are sent, in packs; files unchanged since the parent commit are not read. Commits whose data was deleted ('dvol commit -d') are sent as deleted.

The push is refused when the remote's branch has commits this volume lacks, naming them: fetch them with 'dvol fetch' and look at them with 'dvol log REMOTE/BRANCH', or overwrite them with --force. Pushing what the remote has already prints "Everything up-to-date".

Only committed data is sent, so running containers keep running. For a registry, dvol sends the credentials 'docker login' stored (config.json, credential helpers) with the request, for this transfer only; the plugin never stores or logs them. After a push with credentials, dvol checks whether the branch can be read without them and warns loudly if so.

On a terminal a spinner runs meanwhile; otherwise each commit sent and each pack stored is a plain line on stderr. The summary says where the data went.`,
  options: [
    {
      long: 'force',
      short: 'f',
      description: "Overwrite the remote's branch even if commits are lost there.",
    },
    VOLUME_OPTION,
  ],
  json: true,
  arity: [0, 2],
  async run(ctx, { opts, json, positionals: [remote = 'origin', branch] }) {
    const volume = await ctx.volume(opts.volume as string | undefined);
    const answer = await transfer(ctx, volume, remote, `Pushing ${volume} to ${remote}`, (auth, onProgress) =>
      ctx.api.call(
        'POST /dvol/volumes/:vol/push',
        {
          params: { vol: volume },
          body: { remote, ...(branch ? { branch } : {}), force: opts.force === true, ...auth },
        },
        onProgress,
      ),
    );
    if (json) return ctx.print.json(answer);
    for (const line of pushLines(answer)) ctx.print.line(line);
    if (answer.public) {
      ctx.io.stderr.write(
        `warning: ${answer.location} can be read WITHOUT credentials: anyone who reaches it can pull this volume's data\n` +
          'hint: make the repository private on the registry, unless the data is meant to be public\n',
      );
    }
  },
};
