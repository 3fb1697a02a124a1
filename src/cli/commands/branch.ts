// `dvol branch [-d [-D|--force] BRANCH]`: lists the branches of a volume, or deletes one.

import type { Command } from '../command.js';
import { usageError } from '../errors.js';
import { plural, shortId } from '../format.js';

export const branch: Command = {
  name: 'branch',
  summary: 'List or delete branches for active volume',
  synopsis: ['branch [-r] [--json] [VOLUME]', 'branch -d [-D|--force] BRANCH [VOLUME]'],
  description: `Without -d, lists the branches of VOLUME (default: the active volume), the active one marked with '*', as 'git branch' does.

With -r, lists the remote-tracking branches instead (REMOTE/BRANCH, where 'dvol push' and 'dvol fetch' last saw each remote branch, with its commit). They are never mounted; 'dvol log', 'dvol diff' and 'dvol reset --hard' take them as refs.

With -d, deletes BRANCH. The active branch cannot be deleted. When deleting would lose commits that no other branch or tag references, the plugin refuses unless --force (or -D) is given. Create branches with 'dvol checkout -b'.`,
  options: [
    { long: 'delete', short: 'd', description: 'Delete BRANCH.' },
    { long: 'remotes', short: 'r', description: 'List the remote-tracking branches.' },
    {
      long: 'force',
      short: 'D',
      description: 'With -d: delete even if commits would be lost. -D alone is -d --force.',
    },
  ],
  json: true,
  arity: [0, 2],
  async run(ctx, { opts, json, positionals }) {
    if (opts.delete || opts.force) {
      const [name, explicit] = positionals;
      if (!name) throw usageError("'dvol branch -d' needs the BRANCH to delete", 'branch');
      const volume = await ctx.volume(explicit);
      const { removed } = await ctx.api.call('DELETE /dvol/volumes/:vol/branches/:branch', {
        params: { vol: volume, branch: name },
        query: opts.force ? { force: '1' } : {},
      });
      const lost = removed.length ? ` (${plural(removed.length, 'commit')} deleted)` : '';
      return ctx.print.line(`Deleted branch ${name} of ${volume}${lost}.`);
    }
    if (positionals.length > 1) throw usageError('too many arguments: dvol branch [VOLUME]', 'branch');
    const volume = await ctx.volume(positionals[0]);
    if (opts.remotes) {
      const { remotes } = await ctx.api.call('GET /dvol/volumes/:vol/remotes', { params: { vol: volume } });
      const tracking = remotes.flatMap((r) =>
        r.branches.map((b) => ({ name: `${r.name}/${b.name}`, commit: b.commit })),
      );
      if (json) return ctx.print.json({ branches: tracking });
      for (const b of tracking) ctx.print.line(`  ${ctx.print.paint('red', b.name)}  ${shortId(b.commit)}`);
      return;
    }
    const answer = await ctx.api.call('GET /dvol/volumes/:vol/branches', { params: { vol: volume } });
    if (json) return ctx.print.json(answer);
    for (const b of answer.branches) {
      ctx.print.line(b.active ? `* ${ctx.print.paint('green', b.name)}` : `  ${b.name}`);
    }
  },
};
