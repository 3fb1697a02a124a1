// `dvol switch`: sets the active volume, the one commands act on when no volume is named.

import type { Command } from '../command.js';

export const switchVolume: Command = {
  name: 'switch',
  summary: 'Switch active volume for commands below (commit, log etc)',
  synopsis: ['switch VOLUME'],
  description: `Makes VOLUME the active volume. Commands that act on a volume (commit, log, reset, branch, checkout, tag) use the active volume when no volume is named as their last argument. The plugin keeps the active volume, so it is the same in every shell and for every user.`,
  options: [],
  arity: [1, 1],
  async run(ctx, { positionals: [name = ''] }) {
    // (arity [1, 1]: NAME is always there)
    const { active } = await ctx.api.call('PUT /dvol/active', { body: { name } });
    ctx.print.line(`Switched to volume ${active}.`);
  },
};
