// `dvol mirror add|list|rm`: the Redis mirrors the plugin keeps of volumes' files.

import type { MirrorInfo } from '../../api/mirror.js';
import type { Command } from '../command.js';
import { usageError } from '../errors.js';
import { table } from '../format.js';

const USAGE = 'usage: dvol mirror add [VOLUME] redis://HOST:PORT/DB [--prefix P] | list | rm ID';

/** The rows of `dvol mirror list`: one per mirror, its last error on a line of its own. */
export function mirrorLines(mirrors: MirrorInfo[]): string[] {
  if (mirrors.length === 0)
    return ["No mirrors (add one with 'dvol mirror add VOLUME redis://HOST:PORT/DB')."];
  const rows = [
    ['ID', 'VOLUME', 'TARGET', 'PREFIX', 'STATE', 'KEYS', 'SKIPPED'],
    ...mirrors.map((m) => [
      m.id,
      m.volume,
      m.target,
      m.prefix || '-',
      m.state,
      String(m.keys),
      String(m.skipped),
    ]),
  ];
  const lines = table(rows).trimEnd().split('\n');
  const out = [lines[0] ?? ''];
  for (const [i, m] of mirrors.entries()) {
    out.push(lines[i + 1] ?? '');
    if (m.lastError !== undefined && m.state !== 'live') {
      out.push(`  last error: ${m.lastError}${m.retryAt ? ` (next try ${m.retryAt})` : ''}`);
    }
  }
  return out;
}

export const mirror: Command = {
  name: 'mirror',
  summary: "Mirror a volume's files into Redis keys, kept in step by the plugin",
  synopsis: [
    'mirror add [VOLUME] redis://[USER:PASSWORD@]HOST:PORT/DB [--prefix P]',
    'mirror list [--json]',
    'mirror rm ID',
  ],
  description: `add makes the plugin mirror VOLUME (default: the active volume) into the Redis database of the URL: each regular file becomes a key, its path relative to the volume's root after the prefix P, whose value is the file's content. A file created or modified is SET, a deleted one DEL, a renamed one moved; directories are walked. Files larger than 16 MiB, symbolic links, FIFOs and devices are skipped, with the reason in the plugin's log. The mirror owns every key under its prefix: a first full sync writes what is there and deletes the rest, and so does a full sync after every reset and checkout, so Redis matches what containers see.

The plugin runs the mirror (its network is the host's, so 127.0.0.1 is the host) and keeps it in its state directory: it resumes when the plugin restarts. A Redis that cannot be reached is retried with a growing wait (0.5 s up to 30 s), then synced in full.

list shows every mirror: its ID, volume, target (without credentials), prefix, state (starting, syncing, live, retrying, stopped), the keys of the last full sync and the files it skipped, and the last error while not live.

rm stops the mirror with that ID and forgets it; its keys stay in Redis.`,
  options: [{ long: 'prefix', value: 'P', description: 'Put P before every key (add only; default none).' }],
  json: true,
  arity: [1, 3],
  async run(ctx, { opts, json, positionals: [action, ...rest] }) {
    if (action === 'list' || action === 'ls') {
      if (rest.length > 0) throw usageError(USAGE, 'mirror');
      const { mirrors } = await ctx.api.call('GET /dvol/mirrors');
      if (json) return ctx.print.json({ mirrors });
      for (const line of mirrorLines(mirrors)) ctx.print.line(line);
      return;
    }
    if (action === 'rm') {
      const [id, extra] = rest;
      if (id === undefined || extra !== undefined) throw usageError(USAGE, 'mirror');
      const { mirror } = await ctx.api.call('DELETE /dvol/mirrors/:id', { params: { id } });
      if (json) return ctx.print.json({ mirror });
      return ctx.print.line(
        `Removed mirror ${mirror.id} of ${mirror.volume} to ${mirror.target}; its keys stay.`,
      );
    }
    if (action !== 'add' || rest.length === 0) throw usageError(USAGE, 'mirror');
    // rest is not empty (checked above): URL is its last word.
    const [explicit, url = ''] = rest.length === 1 ? [undefined, rest[0]] : rest;
    const volume = await ctx.volume(explicit);
    const prefix = typeof opts.prefix === 'string' ? opts.prefix : undefined;
    const { mirror } = await ctx.print.progress(`Mirroring ${volume}`, () =>
      ctx.api.call('POST /dvol/volumes/:vol/mirrors', {
        params: { vol: volume },
        body: { url, ...(prefix === undefined ? {} : { prefix }) },
      }),
    );
    if (json) return ctx.print.json({ mirror });
    ctx.print.line(
      `Mirroring ${volume} to ${mirror.target} as mirror ${mirror.id}: ${mirror.state}, ${mirror.keys} keys.`,
    );
    if (mirror.state !== 'live' && mirror.lastError !== undefined) {
      ctx.print.line(`It is retried in the background; last error: ${mirror.lastError}`);
    }
  },
};
