// `dvol tag`: lists, creates or deletes tags, read-only names for commits.

import type { Command } from '../command.js';
import { usageError } from '../errors.js';
import { shortId, table } from '../format.js';

export const tag: Command = {
  name: 'tag',
  summary: 'List, create or delete tags (read-only names for commits)',
  synopsis: ['tag [--json] [-l VOLUME]', 'tag NAME [REF [VOLUME]]', 'tag -d NAME [VOLUME]'],
  description: `Without arguments, lists the tags of the active volume with the commits they name; -l lists those of VOLUME.

With NAME, tags REF (default: HEAD of the active branch) of VOLUME (default: the active volume). To tag another volume's HEAD, give the REF: 'dvol tag v1 HEAD VOLUME'. A tagged commit is never deleted by reset or branch deletion.

With -d, deletes the tag NAME; the commit stays.`,
  options: [
    { long: 'list', short: 'l', description: 'List the tags of VOLUME.' },
    { long: 'delete', short: 'd', description: 'Delete the tag NAME.' },
  ],
  json: true,
  arity: [0, 3],
  async run(ctx, { opts, json, positionals }) {
    if (opts.delete) {
      const [name, explicit, extra] = positionals;
      if (!name || extra !== undefined) throw usageError('usage: dvol tag -d NAME [VOLUME]', 'tag');
      const volume = await ctx.volume(explicit);
      await ctx.api.call('DELETE /dvol/volumes/:vol/tags/:tag', { params: { vol: volume, tag: name } });
      return ctx.print.line(`Deleted tag ${name} of ${volume}.`);
    }
    if (opts.list || positionals.length === 0) {
      if (positionals.length > 1) throw usageError('usage: dvol tag -l [VOLUME]', 'tag');
      const volume = await ctx.volume(positionals[0]);
      const answer = await ctx.api.call('GET /dvol/volumes/:vol/tags', { params: { vol: volume } });
      if (json) return ctx.print.json(answer);
      return ctx.print.write(table(answer.tags.map((t) => [t.name, shortId(t.commit)])));
    }
    // Not empty (see above): NAME is there.
    const [name = '', ref, explicit] = positionals;
    const volume = await ctx.volume(explicit);
    const { tag } = await ctx.api.call('POST /dvol/volumes/:vol/tags', {
      params: { vol: volume },
      body: { name, ...(ref === undefined ? {} : { ref }) },
    });
    ctx.print.line(`Tagged commit ${shortId(tag.commit)} of ${volume} as ${tag.name}.`);
  },
};
