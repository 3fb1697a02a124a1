// `dvol checkout [-b] BRANCH`: switches the active branch of a volume, or creates one from HEAD.

import type { CheckoutAnswer } from '../../api/routes.js';
import type { Command } from '../command.js';

/** `Restarted container db_1.` / `Restarted containers a, b.` */
export function restartedLine(names: string[]): string {
  return `Restarted container${names.length === 1 ? '' : 's'} ${names.join(', ')}.`;
}

/** The lines printed after a checkout, as the seed transcript shows for -b. */
export function checkoutLines(volume: string, answer: CheckoutAnswer): string[] {
  const lines = answer.from
    ? [`Switched to branch ${answer.branch.name} based from ${volume} ${answer.from.branch}@HEAD.`]
    : [`Switched to branch ${answer.branch.name} of ${volume}.`];
  if (answer.restarted.length > 0) lines.push(restartedLine(answer.restarted));
  return lines;
}

export const checkout: Command = {
  name: 'checkout',
  summary: 'Check out or create branches on the active volume',
  synopsis: ['checkout BRANCH [VOLUME]', 'checkout -b BRANCH [VOLUME]'],
  description: `Makes BRANCH the active branch of VOLUME (default: the active volume): containers using the volume then see that branch's data. With -b, first creates BRANCH from the latest commit of the active branch. Unlike git, uncommitted changes are never carried over: the plugin refuses while the volume has uncommitted changes; commit them with 'dvol commit' or discard them with 'dvol reset --hard HEAD'.

Running containers that use the volume are stopped, the branch is switched, and the containers dvol stopped are started again, so they see the branch's data.`,
  options: [
    {
      long: 'branch',
      short: 'b',
      description: 'Create BRANCH from HEAD of the active branch, then switch to it.',
    },
  ],
  arity: [1, 2],
  async run(ctx, { opts, positionals: [branch = '', explicit] }) {
    // (arity [1, 2]: BRANCH is always there)
    const volume = await ctx.volume(explicit);
    const answer = await ctx.print.progress(`Checking out ${branch} of ${volume}`, () =>
      ctx.api.call('POST /dvol/volumes/:vol/checkout', {
        params: { vol: volume },
        body: { branch, create: opts.branch === true },
      }),
    );
    for (const line of checkoutLines(volume, answer)) ctx.print.line(line);
  },
};
