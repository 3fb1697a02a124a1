// `dvol version`: the CLI's version and the plugin's, which should match.

import type { VersionAnswer } from '../../api/routes.js';
import type { Command } from '../command.js';
import { CLI_API_VERSION, cliVersion } from '../cli-version.js';
import { CliError } from '../errors.js';

export const version: Command = {
  name: 'version',
  summary: 'Show the versions of the dvol CLI and plugin',
  synopsis: ['version [--json]', '--version'],
  description: `Prints the version of this CLI and the /dvol API version it speaks, then the version of the plugin it reaches, its API version and its default snapshot driver. When the plugin cannot be reached, the CLI's version is still printed, then the reason (exit status 5).

A CLI works with a plugin whose API has the same major version (1.x with 1.y). With any other pair, every command fails with one sentence saying which of the two is older and how to upgrade it.`,
  options: [],
  json: true,
  arity: [0, 0],
  async run(ctx, { json }) {
    const cli = cliVersion();
    if (!json) ctx.print.line(`dvol CLI ${cli} (API ${CLI_API_VERSION})`);
    let plugin: VersionAnswer;
    try {
      plugin = await ctx.api.call('GET /dvol/version');
    } catch (err) {
      if (json && err instanceof CliError) ctx.print.json({ cli, api: CLI_API_VERSION, plugin: null });
      throw err;
    }
    if (json) return ctx.print.json({ cli, api: CLI_API_VERSION, plugin });
    ctx.print.line(
      `dvol plugin ${plugin.version} (API ${plugin.api}, default driver: ${plugin.defaultDriver})`,
    );
  },
};
