// `dvol commit -m`: records the active branch's data as a commit, authored per `dvol config`;
// `dvol commit -d REF`: deletes a commit's data to reclaim space.

import type { Command, Context } from '../command.js';
import { author } from '../config.js';
import { usageError } from '../errors.js';
import { shortId } from '../format.js';

export const commit: Command = {
  name: 'commit',
  summary: 'Create a commit on the active volume and branch',
  synopsis: ['commit -m MESSAGE [-m PARAGRAPH]... [VOLUME]', 'commit -d REF [VOLUME]'],
  description: `Records the current data of the active branch of VOLUME (default: the active volume) as a new commit on that branch, with MESSAGE. Several -m options are joined as separate paragraphs, as git does.

The author is 'user.name <user.email>' from 'dvol config', which defaults to git's user.name and user.email. Containers using the volume are paused during the copy when the snapshot driver cannot snapshot atomically, so the commit is consistent.

With -d, deletes the data of the commit REF to reclaim disk space; unlike git, dvol can do this. The commit stays in the log, marked as deleted, so history reads the same; it can no longer be checked out or reset to. The tip of a branch and a tagged commit cannot be deleted.`,
  options: [
    {
      long: 'message',
      short: 'm',
      value: 'MESSAGE',
      repeat: true,
      description: 'The commit message (required to commit).',
    },
    { long: 'delete', short: 'd', value: 'REF', description: 'Delete the data of commit REF instead.' },
  ],
  arity: [0, 1],
  async run(ctx, { opts, positionals: [explicit] }) {
    if (typeof opts.delete === 'string') return deleteData(ctx, opts.delete, explicit, opts.message);
    const paragraphs = (opts.message as string[] | undefined) ?? [];
    if (paragraphs.length === 0)
      throw usageError('a commit message is required: dvol commit -m "<message>"', 'commit');
    // Looked up side by side (git may run, the plugin may be asked); an author error still comes first.
    const [who, found] = await Promise.allSettled([author(ctx.io.env), ctx.volume(explicit)]);
    if (who.status === 'rejected') throw who.reason;
    if (found.status === 'rejected') throw found.reason;
    const volume = found.value;
    const body = { message: paragraphs.join('\n\n'), author: who.value };
    const { commit } = await ctx.print.progress(`Committing ${volume}`, () =>
      ctx.api.call('POST /dvol/volumes/:vol/commits', { params: { vol: volume }, body }),
    );
    ctx.print.line(`[${volume} ${shortId(commit.id)}] ${commit.message.split('\n')[0]}`);
  },
};

/** `dvol commit -d REF`: the commit's data goes, its record stays in the log. */
async function deleteData(ctx: Context, ref: string, explicit: string | undefined, message: unknown) {
  if (message !== undefined) throw usageError('-d and -m cannot be used together', 'commit');
  const volume = await ctx.volume(explicit);
  const { commit } = await ctx.api.call('POST /dvol/volumes/:vol/commits/delete', {
    params: { vol: volume },
    body: { ref },
  });
  ctx.print.line(`Deleted the data of commit ${shortId(commit.id)} of ${volume}.`);
}
