// `dvol version`: the CLI's version and the plugin's, which should match.

import { readFileSync } from 'node:fs';
import type { VersionAnswer } from '../../api/routes.js';
import type { Command } from '../command.js';
import { CliError } from '../errors.js';

/**
 * The CLI's version, from the nearest dvol package.json above this module: it runs from src/cli/commands
 * (tests), dist/cli/commands or the bundled dist/cli/dvol.js. Read only when asked, not at every start.
 */
export function cliVersion(): string {
  for (let dir = new URL('.', import.meta.url); ; dir = new URL('..', dir)) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as Record<string, unknown>;
      if (pkg.name === 'dvol' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // No package.json at this level (or not ours): keep going up.
    }
    if (dir.pathname === '/') return 'unknown';
  }
}

export const version: Command = {
  name: 'version',
  summary: 'Show the versions of the dvol CLI and plugin',
  synopsis: ['version [--json]', '--version'],
  description: `Prints the version of this CLI, then the version of the plugin it reaches and the plugin's default snapshot driver. When the plugin cannot be reached, the CLI's version is still printed, then the reason (exit status 5).`,
  options: [],
  json: true,
  arity: [0, 0],
  async run(ctx, { json }) {
    const cli = cliVersion();
    if (!json) ctx.print.line(`dvol CLI ${cli}`);
    let plugin: VersionAnswer;
    try {
      plugin = await ctx.api.call('GET /dvol/version');
    } catch (err) {
      if (json && err instanceof CliError) ctx.print.json({ cli, plugin: null });
      throw err;
    }
    if (json) return ctx.print.json({ cli, plugin });
    ctx.print.line(`dvol plugin ${plugin.version} (default driver: ${plugin.defaultDriver})`);
  },
};
