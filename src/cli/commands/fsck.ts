// `dvol fsck`: asks the plugin to check the store's invariants and lists every problem found.

import type { Command } from '../command.js';
import { CliError } from '../errors.js';
import { plural } from '../format.js';

export const fsck: Command = {
  name: 'fsck',
  summary: 'Check the consistency of every volume, or of one',
  synopsis: ['fsck [--json] [VOLUME]'],
  description: `Checks that the branches, tags and commits of VOLUME (default: every volume, not only the active one) point at commits and data that exist, and that no data is left over from interrupted work. Prints one line per problem: the volume, the kind of problem and a sentence naming the objects involved.`,
  options: [],
  json: true,
  arity: [0, 1],
  exitNotes: ['1  problems were found'],
  async run(ctx, { json, positionals: [volume] }) {
    const answer = await ctx.print.progress('Checking', () =>
      volume === undefined
        ? ctx.api.call('GET /dvol/fsck')
        : ctx.api.call('GET /dvol/volumes/:vol/fsck', { params: { vol: volume } }),
    );
    const n = answer.problems.length;
    if (json) ctx.print.json(answer);
    else if (n === 0) ctx.print.line('No problems found.');
    else for (const p of answer.problems) ctx.print.line(`${p.volume}: ${p.kind}: ${p.message}`);
    if (n > 0) {
      throw new CliError('corrupt', `fsck found ${plural(n, 'problem')}`);
    }
  },
};
