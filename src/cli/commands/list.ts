// `dvol list|ls`: a docker-style table of every volume, the active one marked with `*`.

import type { ListAnswer } from '../../api/routes.js';
import type { Command } from '../command.js';
import { humanSize, table } from '../format.js';

/** The rows of `dvol list` (without colour): marker, volume, size, branches, active branch, containers. */
export function listLines(answer: ListAnswer): { marked: boolean; text: string }[] {
  // The mount policy only once some volume is exclusive: most tables stay as they were.
  const policy = answer.volumes.some((v) => v.exclusive === true);
  const rows = [
    ['VOLUME', 'SIZE', 'BRANCHES', 'ACTIVE BRANCH', 'CONTAINERS', ...(policy ? ['MOUNTS'] : [])],
    ...answer.volumes.map((v) => [
      v.name,
      humanSize(v.size.bytes),
      String(v.branchCount),
      v.activeBranch,
      v.containers.join(','),
      ...(policy ? [v.exclusive ? 'exclusive' : 'shared'] : []),
    ]),
  ];
  const lines = table(rows).trimEnd().split('\n');
  return lines.map((text, i) => ({ marked: i > 0 && answer.volumes[i - 1]?.name === answer.active, text }));
}

export const list: Command = {
  name: 'list',
  aliases: ['ls'],
  summary: 'List all dvol volumes',
  synopsis: ['list [--json]', 'ls [--json]'],
  description: `Lists every volume of the plugin in a table: its name, the size of its active branch's data, how many branches it has, its active branch and the containers using it; once some volume is exclusive (see dvol exclusive), a MOUNTS column says which are exclusive and which shared. The active volume, which commands act on when no volume is named, is marked with '*'.

Sizes are decimal (1kB = 1000 bytes), as docker prints them. Measuring sizes walks the data, so this can take a moment on large volumes.`,
  options: [],
  json: true,
  arity: [0, 0],
  async run(ctx, args) {
    const answer = await ctx.print.progress('Listing volumes', () => ctx.api.call('GET /dvol/volumes'));
    if (args.json) return ctx.print.json(answer);
    for (const { marked, text } of listLines(answer)) {
      ctx.print.line(`${marked ? ctx.print.paint('green', '*') : ' '} ${text}`);
    }
  },
};
