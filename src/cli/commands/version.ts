// `dvol version`: the CLI's version and the plugin's, which should match.

import { readFileSync } from 'node:fs';
import type { Command } from '../command.js';
import { CliError } from '../errors.js';

/** The CLI's version, from package.json (two levels above both src/cli/commands and dist/cli/commands). */
export const CLI_VERSION = (
  JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export const version: Command = {
  name: 'version',
  summary: 'Show the versions of the dvol CLI and plugin',
  synopsis: ['version [--json]', '--version'],
  description: `Prints the version of this CLI, then the version of the plugin it reaches and the plugin's default snapshot driver. When the plugin cannot be reached, the CLI's version is still printed, then the reason (exit status 5).`,
  options: [],
  json: true,
  arity: [0, 0],
  async run(ctx, { json }) {
    if (!json) ctx.print.line(`dvol CLI ${CLI_VERSION}`);
    let plugin: { version: string; defaultDriver: string };
    try {
      plugin = await ctx.api.request('GET', '/dvol/version');
    } catch (err) {
      if (json && err instanceof CliError) ctx.print.json({ cli: CLI_VERSION, plugin: null });
      throw err;
    }
    if (json) return ctx.print.json({ cli: CLI_VERSION, plugin });
    ctx.print.line(`dvol plugin ${plugin.version} (default driver: ${plugin.defaultDriver})`);
  },
};
