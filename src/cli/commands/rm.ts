// `dvol rm`: destroys a volume with all its branches and commits, after confirmation or with -f.

import type { Command } from '../command.js';
import { CliError } from '../errors.js';

export const rm: Command = {
  name: 'rm',
  summary: 'Destroy a dvol volume',
  synopsis: ['rm [-f] VOLUME'],
  description: `Destroys VOLUME: its data, every branch and every commit. This cannot be undone. The plugin refuses while a container has the volume mounted; remove those containers first ('docker rm -f').

Without -f, dvol asks for confirmation on a terminal and refuses when there is none. Unlike the other commands, rm never falls back to the active volume: the volume must be named.`,
  options: [{ long: 'force', short: 'f', description: 'Do not ask for confirmation.' }],
  arity: [1, 1],
  async run(ctx, { opts, positionals: [name = ''] }) {
    if (!opts.force) {
      if (!ctx.io.ask) {
        throw new CliError(
          'invalid',
          `refusing to destroy volume '${name}' without confirmation`,
          `dvol rm -f ${name}`,
        );
      }
      const answer = await ctx.io.ask(`Destroy volume ${name} with all its branches and commits? [y/N] `);
      if (!/^y(es)?$/i.test(answer.trim())) {
        ctx.print.line(`Kept volume ${name}.`);
        return;
      }
    }
    await ctx.api.call('DELETE /dvol/volumes/:vol', { params: { vol: name } });
    ctx.print.line(`Destroyed volume ${name}.`);
  },
};
