// `dvol config user.name|user.email [VALUE]`: shows or sets the author of commits.

import type { Command } from '../command.js';
import { CONFIG_KEYS, configPath, getConfig, setConfig, type ConfigKey } from '../config.js';
import { CliError, usageError } from '../errors.js';

export const config: Command = {
  name: 'config',
  summary: 'Show or set your name and email for commits',
  synopsis: ['config [--json]', 'config user.name|user.email [VALUE]'],
  description: `Without arguments, shows every setting. With KEY, shows its value; with KEY and VALUE, sets it. The settings are the author of your commits: user.name and user.email. They are stored per user in $XDG_CONFIG_HOME/dvol/config.json (default ~/.config/dvol/config.json); when unset there, git's user.name and user.email are used.`,
  options: [],
  json: true,
  arity: [0, 2],
  async run(ctx, { json, positionals: [key, value] }) {
    const env = ctx.io.env;
    if (key !== undefined && !(CONFIG_KEYS as readonly string[]).includes(key)) {
      throw usageError(`unknown setting '${key}': dvol knows ${CONFIG_KEYS.join(' and ')}`, 'config');
    }
    if (key !== undefined && value !== undefined) {
      if (!value.trim()) throw usageError(`${key} must not be empty`, 'config');
      return setConfig(env, key as ConfigKey, value);
    }
    const keys = key === undefined ? CONFIG_KEYS : [key as ConfigKey];
    const found = await Promise.all(keys.map(async (k) => [k, await getConfig(env, k)] as const));
    if (json) {
      return ctx.print.json(Object.fromEntries(found.map(([k, v]) => [k, v ?? null])));
    }
    if (key !== undefined && !found[0]?.[1]) {
      throw new CliError(
        'not_found',
        `${key} is not set in ${configPath(env)} nor in git`,
        `dvol config ${key} VALUE`,
      );
    }
    for (const [k, v] of found) {
      if (v) ctx.print.line(key === undefined ? `${k}=${v.value}` : v.value);
    }
  },
};
