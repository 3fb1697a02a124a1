// `dvol remote [-v]`, `remote add NAME URL`, `remote rm NAME`: the remotes of a volume.

import type { Command } from '../command.js';
import { usageError } from '../errors.js';
import { plural, table } from '../format.js';

export const VOLUME_OPTION = {
  long: 'volume',
  value: 'VOLUME',
  description: 'The volume (default: the active volume).',
} as const;

export const remote: Command = {
  name: 'remote',
  summary: 'List, add or remove the remotes of a volume',
  synopsis: [
    'remote [-v] [--json] [--volume VOLUME]',
    'remote add NAME URL [--volume VOLUME]',
    'remote rm NAME [--volume VOLUME]',
  ],
  description: `Without a subcommand, lists the remotes of VOLUME (default: the active volume); with -v, with their URLs, as 'git remote -v' does.

'remote add NAME URL' adds a remote. URL is a registry repository (ghcr.io/team/db, 127.0.0.1:5000/team/db, docker.io/user/db) or a directory (an absolute path or file:///path) as the plugin sees it. NAME uses the letters, digits, '_', '.' and '-' of branch names; 'dvol clone' names its remote origin.

'remote rm NAME' removes the remote and its remote-tracking branches (NAME/BRANCH); commits that only they kept are deleted from the volume (never from the remote).

The volume is chosen with --volume, since the positional arguments are the subcommand's.`,
  options: [{ long: 'verbose', short: 'v', description: 'Show the URL of each remote.' }, VOLUME_OPTION],
  json: true,
  arity: [0, 3],
  async run(ctx, { opts, json, positionals }) {
    const volume = await ctx.volume(opts.volume as string | undefined);
    const [sub, name, url] = positionals;
    if (sub === 'add') {
      if (name === undefined || url === undefined || positionals.length > 3) {
        throw usageError("'dvol remote add' needs NAME and URL", 'remote');
      }
      const answer = await ctx.api.call('POST /dvol/volumes/:vol/remotes', {
        params: { vol: volume },
        body: { name, url },
      });
      if (json) return ctx.print.json(answer);
      return ctx.print.line(`Added remote ${name} of ${volume}: ${answer.remote.location}`);
    }
    if (sub === 'rm' || sub === 'remove') {
      if (name === undefined || positionals.length > 2)
        throw usageError("'dvol remote rm' needs NAME", 'remote');
      const answer = await ctx.api.call('DELETE /dvol/volumes/:vol/remotes/:remote', {
        params: { vol: volume, remote: name },
      });
      if (json) return ctx.print.json(answer);
      const lost = answer.removed.length
        ? ` (${plural(answer.removed.length, 'commit')} only it kept deleted)`
        : '';
      return ctx.print.line(`Removed remote ${name} of ${volume}${lost}.`);
    }
    if (sub !== undefined)
      throw usageError(`unknown subcommand '${sub.slice(0, 64)}': use add or rm`, 'remote');
    const answer = await ctx.api.call('GET /dvol/volumes/:vol/remotes', { params: { vol: volume } });
    if (json) return ctx.print.json(answer);
    if (opts.verbose) {
      const rows = answer.remotes.map((r) => [r.name, r.url]);
      if (rows.length > 0) ctx.print.line(table(rows).trimEnd());
      return;
    }
    for (const r of answer.remotes) ctx.print.line(r.name);
  },
};
