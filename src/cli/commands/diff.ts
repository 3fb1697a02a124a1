// `dvol diff [REF [REF2]] [VOLUME]`: what changed, as the seed's one-line summary, per path, or JSON.

import type { Command, Context } from '../command.js';
import { usageError } from '../errors.js';
import { entryLine, sideName, statLines, summaryLines } from '../diff-format.js';

/** Whether `name` is a volume (cheap: GET branches reads only the volume's record). */
async function isVolume(ctx: Context, name: string): Promise<boolean> {
  try {
    await ctx.api.call('GET /dvol/volumes/:vol/branches', { params: { vol: name } });
    return true;
  } catch {
    return false;
  }
}

/** Splits `[REF [REF2]] [VOLUME]`: a last word that names a volume is the VOLUME. */
async function parsePositionals(ctx: Context, words: string[]) {
  const last = words.at(-1);
  const explicit = words.length === 3 || (last !== undefined && (await isVolume(ctx, last)));
  const refs = explicit ? words.slice(0, -1) : words;
  return { volume: await ctx.volume(explicit ? last : undefined), from: refs[0], to: refs[1] };
}

export const diff: Command = {
  name: 'diff',
  summary: 'Show what changed between commits or since the last commit',
  synopsis: ['diff [-v | --stat | --json] [REF [REF2]] [VOLUME]'],
  description: `Compares two states of VOLUME (default: the active volume). With no REF: the working data of the active branch against its latest commit (HEAD). With REF: the working data against REF. With REF and REF2: the commit REF against the commit REF2.

REF is HEAD, HEAD^, HEAD~N, a branch, a tag, a commit id or a unique prefix of one. When the last argument names an existing volume it is taken as VOLUME; otherwise it is a REF.

By default prints how much data changed and how many paths were added, modified and deleted. With -v prints one line per changed path as it is found: a status letter (A added, M modified, D deleted, T type changed: file, directory, symlink...), the size change, the path (quoted like git when it holds control characters or bytes that are not UTF-8), and what changed for a modified path (content, mode, owner, mtime, target, xattrs, links). A renamed path shows as D plus A.

With --json prints newline-delimited JSON as it is found: first {"from", "to", "branch"} (the two commits, to is null for the working data), then one {"entry"} per changed path, then {"totals"}. Paths that are not UTF-8 come with their exact bytes in pathBase64 (see docs/api.md).

Only metadata is read where it can decide; on btrfs the filesystem tells what changed between snapshots.`,
  options: [
    { long: 'verbose', short: 'v', description: 'List every changed path, one per line.' },
    { long: 'stat', description: 'Print the totals: counts per status and bytes changed.' },
  ],
  json: true,
  arity: [0, 3],
  async run(ctx, { opts, json, positionals }) {
    if ([opts.verbose, opts.stat, json].filter(Boolean).length > 1) {
      throw usageError('use only one of -v, --stat and --json', 'diff');
    }
    const { volume, from, to } = await parsePositionals(ctx, positionals);
    const params = { vol: volume };
    const query = { ...(from ? { from } : {}), ...(to ? { to } : {}) };
    if (!opts.verbose && !json) {
      const answer = await ctx.print.progress(`Comparing ${volume}`, () =>
        ctx.api.call('GET /dvol/volumes/:vol/diff', { params, query: { ...query, summary: '1' } }),
      );
      if (opts.stat) return ctx.print.write(statLines(answer.totals));
      const names = [sideName(answer.from, false), sideName(answer.to, answer.to === null)];
      for (const line of summaryLines(names[0] as string, names[1] as string, answer.totals))
        ctx.print.line(line);
      return;
    }
    for await (const line of ctx.api.stream('GET /dvol/volumes/:vol/diff', { params, query })) {
      if (json) ctx.print.line(JSON.stringify(line));
      else if ('entry' in line) ctx.print.line(entryLine(line.entry));
    }
  },
};
