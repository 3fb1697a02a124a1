// `dvol init`: creates a volume with an empty master branch and makes it the active volume.

import type { Command } from '../command.js';
import { usageError } from '../errors.js';

/** `-o key=value` pairs as an object; a pair without '=' is a usage error. */
export function parsePairs(pairs: string[], verb: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw usageError(`option '${pair}' is not of the form KEY=VALUE`, verb);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

export const init: Command = {
  name: 'init',
  summary: 'Create a volume and its default master branch, then switch to it',
  synopsis: ['init [--driver=DRIVER] [-o KEY=VALUE]... VOLUME'],
  description: `Creates VOLUME with one empty branch, master, and makes it the active volume, so that later commands act on it when no volume is named. Containers use it with the dvol volume driver: 'docker run -v VOLUME:/data --volume-driver=dvol ...', or 'driver: dvol' in a compose file.

Volume names follow Docker's rules: letters, digits, '_', '.' and '-', starting with a letter or digit.`,
  options: [
    {
      long: 'driver',
      value: 'DRIVER',
      description: 'Snapshot driver: plain, reflink or btrfs (default: detected by the plugin).',
    },
    {
      long: 'opt',
      short: 'o',
      value: 'KEY=VALUE',
      repeat: true,
      description: 'A driver option; repeatable.',
    },
  ],
  arity: [1, 1],
  async run(ctx, { opts, positionals: [name = ''] }) {
    // (arity [1, 1]: NAME is always there)
    const options = parsePairs((opts.opt as string[] | undefined) ?? [], 'init');
    const body = {
      name,
      ...(typeof opts.driver === 'string' ? { driver: opts.driver } : {}),
      ...(opts.opt ? { options } : {}),
    };
    const { volume } = await ctx.api.call('POST /dvol/volumes', { body });
    ctx.print.line(`Created empty volume ${volume.name}.`);
  },
};
