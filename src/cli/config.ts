// The per-user CLI settings (~/.config/dvol/config.json): the commit author, defaulting to git's config.

import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { CliError } from './errors.js';

/** The settings `dvol config` knows. */
export const CONFIG_KEYS = ['user.name', 'user.email'] as const;
export type ConfigKey = (typeof CONFIG_KEYS)[number];

/** The file's shape: `{"user": {"name": "...", "email": "..."}}`. */
interface ConfigFile {
  user?: { name?: string; email?: string };
}

/** `$XDG_CONFIG_HOME/dvol/config.json`, or `~/.config/dvol/config.json`. */
export function configPath(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'dvol', 'config.json');
}

async function readFileConfig(env: NodeJS.ProcessEnv): Promise<ConfigFile> {
  const path = configPath(env);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new CliError('internal', `cannot read ${path}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text) as ConfigFile;
  } catch {
    throw new CliError(
      'corrupt',
      `${path} is not valid JSON`,
      'fix or delete the file, then set the values again',
    );
  }
}

const field = (key: ConfigKey) => (key === 'user.name' ? 'name' : 'email');

/** A value and where it came from: dvol's own file, or git's config as the default. */
export async function getConfig(
  env: NodeJS.ProcessEnv,
  key: ConfigKey,
): Promise<{ value: string; source: 'dvol' | 'git' } | undefined> {
  const own = (await readFileConfig(env)).user?.[field(key)];
  if (own) return { value: own, source: 'dvol' };
  // zx loads only here: most commands never need git, and it is the CLI's heaviest module to load.
  const { $ } = await import('zx/core');
  // --global: the user's own git identity, never the repository the shell happens to be in (volumes
  // are not tied to directories).
  const git = await $({ env, nothrow: true, quiet: true })`git config --global --get ${key}`.catch(
    () => undefined,
  );
  const value = git?.exitCode === 0 ? git.stdout.trim() : '';
  return value ? { value, source: 'git' } : undefined;
}

/** Stores a value atomically (temp file, then rename) so a crash never leaves half a file. */
export async function setConfig(env: NodeJS.ProcessEnv, key: ConfigKey, value: string): Promise<void> {
  const path = configPath(env);
  const config = await readFileConfig(env);
  config.user = { ...config.user, [field(key)]: value };
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, JSON.stringify(config, null, 2) + '\n', { mode: 0o644 });
  await rename(temp, path);
}

/** `Name <email>` for commits; refuses (exit 2) with how to set them when either is missing. */
export async function author(env: NodeJS.ProcessEnv): Promise<string> {
  const [name, email] = await Promise.all([getConfig(env, 'user.name'), getConfig(env, 'user.email')]);
  if (!name || !email) {
    const missing = [!name && 'user.name', !email && 'user.email'].filter(Boolean).join(' and ');
    throw new CliError(
      'invalid',
      `cannot commit without an author: ${missing} not set`,
      `dvol config user.name "Your Name" && dvol config user.email you@example.com`,
    );
  }
  return `${name.value} <${email.value}>`;
}
