// The user's registry credentials, found as the docker CLI finds them (config.json, credential
// helpers), to send with one push, fetch, pull or clone request. The plugin runs the transfer but
// cannot read the user's ~/.docker, so they travel over the CLI socket, like `docker push` sends
// X-Registry-Auth to dockerd; they are never printed.

import type { CredentialsBody } from '../api/bodies.js';
// The one runtime import from storage (src/cli/layers.test.ts names it): a leaf module of node
// built-ins that reads the user's own files, which only the CLI process can.
import { lookupCredentials } from '../storage/remotes/registry/credentials.js';
import type { Context } from './command.js';
import { CliError } from './errors.js';

/** Credentials for the registry keyed `key` (none for a directory or an anonymous registry). */
export async function credentialsFor(
  key: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<CredentialsBody | undefined> {
  if (key === undefined) return undefined;
  try {
    return await lookupCredentials(key, { env });
  } catch (err) {
    const e = err as { code?: string; message?: string; hint?: string };
    const code = e.code === 'invalid' ? 'invalid' : 'denied';
    throw new CliError(code, e.message ?? String(err), e.hint, { cause: err });
  }
}

/** `{ credentials }` for a body, or nothing for a directory or a registry without stored ones. */
export function credentialsField(credentials: CredentialsBody | undefined): {
  credentials?: CredentialsBody;
} {
  return credentials ? { credentials } : {};
}

/**
 * Runs a transfer with remote `remote` of `volume` (its credentials looked up first), showing
 * `title` while it runs: the shape push, fetch and pull share.
 */
export async function transfer<T>(
  ctx: Context,
  volume: string,
  remote: string,
  title: string,
  call: (field: { credentials?: CredentialsBody }, onProgress?: (line: string) => void) => Promise<T>,
): Promise<T> {
  const { remotes } = await ctx.api.call('GET /dvol/volumes/:vol/remotes', { params: { vol: volume } });
  const key = remotes.find((r) => r.name === remote)?.credentialKey;
  const field = credentialsField(await credentialsFor(key, ctx.io.env));
  return withProgress(ctx, title, (onProgress) => call(field, onProgress));
}

/**
 * Runs a transfer showing its progress: a spinner on a terminal, else the plugin's progress lines
 * as they come, on stderr (stdout keeps only the summary).
 */
export function withProgress<T>(
  ctx: Context,
  title: string,
  call: (onProgress?: (line: string) => void) => Promise<T>,
): Promise<T> {
  if (ctx.io.stderr.isTTY === true) return ctx.print.progress(title, () => call());
  return call((line) => void ctx.io.stderr.write(`${line}\n`));
}
