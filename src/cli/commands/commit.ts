// `dvol commit -m`: records the active branch's data as a commit, authored per `dvol config`.

import type { Commit } from '../../storage/model.js';
import type { Command } from '../command.js';
import { author } from '../config.js';
import { volumePath } from '../context.js';
import { usageError } from '../errors.js';
import { shortId } from '../format.js';

export const commit: Command = {
  name: 'commit',
  summary: 'Create a commit on the active volume and branch',
  synopsis: ['commit -m MESSAGE [-m PARAGRAPH]... [VOLUME]'],
  description: `Records the current data of the active branch of VOLUME (default: the active volume) as a new commit on that branch, with MESSAGE. Several -m options are joined as separate paragraphs, as git does.

The author is 'user.name <user.email>' from 'dvol config', which defaults to git's user.name and user.email. Containers using the volume are paused during the copy when the snapshot driver cannot snapshot atomically, so the commit is consistent.`,
  options: [
    {
      long: 'message',
      short: 'm',
      value: 'MESSAGE',
      repeat: true,
      description: 'The commit message (required).',
    },
  ],
  arity: [0, 1],
  async run(ctx, { opts, positionals: [explicit] }) {
    const paragraphs = (opts.message as string[] | undefined) ?? [];
    if (paragraphs.length === 0)
      throw usageError('a commit message is required: dvol commit -m "<message>"', 'commit');
    const body = { message: paragraphs.join('\n\n'), author: await author(ctx.io.env) };
    const volume = await ctx.volume(explicit);
    const { commit } = await ctx.print.progress(`Committing ${volume}`, () =>
      ctx.api.request<{ commit: Commit }>('POST', volumePath(volume, 'commits'), body),
    );
    ctx.print.line(`[${volume} ${shortId(commit.id)}] ${commit.message.split('\n')[0]}`);
  },
};
