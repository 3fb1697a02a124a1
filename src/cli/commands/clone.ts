// `dvol clone URL[:BRANCH] VOLUME`: a new volume holding a remote branch's history.

import type { Command } from '../command.js';
import { credentialsField, credentialsFor, withProgress } from '../credentials.js';
import { plural } from '../format.js';

export const clone: Command = {
  name: 'clone',
  summary: 'Create a volume from a remote branch, with its history',
  synopsis: ['clone [--driver DRIVER] [--json] URL[:BRANCH] VOLUME'],
  description: `Creates VOLUME with the history of BRANCH (default: master) of the remote at URL: the same commit ids, messages and dates, and the tip's data restored, every blob checked against its digest and every block against its hash. The remote is recorded as origin and BRANCH is the active branch; 'dvol pull' brings later commits.

URL is a registry repository (127.0.0.1:5000/team/db) or a directory (an absolute path or file:///path). BRANCH follows the last ':' after the last '/', so a registry port is never taken for one: 127.0.0.1:5000/team/db:dev.

A clone that fails leaves no volume behind.`,
  options: [
    {
      long: 'driver',
      value: 'DRIVER',
      description: "Snapshot driver of the new volume (default: the plugin's).",
    },
  ],
  json: true,
  arity: [2, 2],
  async run(ctx, { opts, json, positionals: [source = '', name = ''] }) {
    const parsed = await ctx.api.call('GET /dvol/remote-url', { query: { url: source } });
    const auth = credentialsField(await credentialsFor(parsed.credentialKey, ctx.io.env));
    const driver = opts.driver as string | undefined;
    const answer = await withProgress(ctx, `Cloning into ${name}`, (onProgress) =>
      ctx.api.call(
        'POST /dvol/clone',
        {
          body: { source, name, ...(driver ? { driver } : {}), ...auth },
        },
        onProgress,
      ),
    );
    if (json) return ctx.print.json(answer);
    const commits = answer.fetch.branches[0]?.imported.length ?? 0;
    ctx.print.line(
      `Cloned ${parsed.location} branch ${answer.branch} into ${name} (${plural(commits, 'commit')}).`,
    );
  },
};
