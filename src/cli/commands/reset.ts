// `dvol reset --hard REF`: moves the active branch to a commit, discarding later commits and changes.

import type { ResetAnswer } from '../../api/routes.js';
import type { Command } from '../command.js';
import { plural, shortId } from '../format.js';
import { restartedLine } from './checkout.js';

/** The lines printed after a reset, e.g. `Resetting db to latest commit... done.`. */
export function resetLines(volume: string, ref: string, answer: ResetAnswer): string[] {
  const target = ref === 'HEAD' || ref === '@' ? 'latest commit' : `commit ${shortId(answer.commit.id)}`;
  const lines = [`Resetting ${volume} to ${target}... done.`];
  const n = answer.removed.length;
  if (n > 0) {
    const ids = answer.removed.map((c) => shortId(c.id)).join(', ');
    lines.push(`Deleted ${plural(n, 'commit')} no longer on any branch or tag: ${ids}.`);
  }
  if (answer.restarted.length > 0) lines.push(restartedLine(answer.restarted));
  return lines;
}

export const reset: Command = {
  name: 'reset',
  summary: 'Reset active branch to a commit, destroying later unreferenced commits',
  synopsis: ['reset --hard REF [VOLUME]'],
  description: `Resets the active branch of VOLUME (default: the active volume) to REF, throwing away uncommitted changes and the commits after REF; commits that no other branch or tag references are deleted. 'dvol reset --hard HEAD' throws away only the uncommitted changes.

REF is HEAD, HEAD^, HEAD~N, a branch, a tag, a commit id or a unique prefix of one, optionally followed by ^ or ~N.

Running containers that use the volume are stopped, the branch is reset, and the containers dvol stopped are started again, so they see the reset data. Without --hard the plugin refuses and says what would be lost.`,
  options: [{ long: 'hard', description: 'Discard uncommitted changes and later commits (required).' }],
  arity: [1, 2],
  async run(ctx, { opts, positionals: [ref = 'HEAD', explicit] }) {
    const volume = await ctx.volume(explicit);
    const answer = await ctx.print.progress(`Resetting ${volume}`, () =>
      ctx.api.call('POST /dvol/volumes/:vol/reset', {
        params: { vol: volume },
        body: { ref, hard: opts.hard === true },
      }),
    );
    for (const line of resetLines(volume, ref, answer)) ctx.print.line(line);
  },
};
