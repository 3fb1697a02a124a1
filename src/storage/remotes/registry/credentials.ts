// Registry credentials the way the docker CLI finds them: `config.json` in DOCKER_CONFIG or
// ~/.docker, its `credHelpers`, `credsStore` and `auths` (docker/cli cli/config/types/authconfig.go),
// and the credential-helper protocol (`docker-credential-<name> get`, server URL on stdin).

import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DvolError } from '../../errors.js';

/** What a registry accepts from us; every field is a secret except `username`. */
export interface Credentials {
  username?: string;
  password?: string;
  /** An OAuth2 refresh token (`identitytoken`, or a helper's `<token>` user): exchanged for a bearer. */
  identityToken?: string;
  /** A bearer token to send as is (`registrytoken`). */
  registryToken?: string;
}

export interface CredentialOptions {
  /** The directory of config.json; default DOCKER_CONFIG, then ~/.docker. */
  configDir?: string;
  /** The environment helpers run in (PATH finds them). */
  env?: NodeJS.ProcessEnv;
}

const HELPER_TIMEOUT_MS = 15_000;
const HELPER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/;

interface AuthEntry {
  auth?: unknown;
  username?: unknown;
  password?: unknown;
  identitytoken?: unknown;
  registrytoken?: unknown;
}

/** A JSON object's own string-keyed entry, never one inherited from Object.prototype. */
function own(object: unknown, key: string): unknown {
  return object !== null && typeof object === 'object' && Object.hasOwn(object, key)
    ? (object as Record<string, unknown>)[key]
    : undefined;
}

/** `https://ghcr.io/v1/` and `ghcr.io` name the same registry in config.json (docker's ConvertToHostname). */
function hostOf(key: string): string {
  return key.replace(/^https?:\/\//, '').split('/')[0] ?? '';
}

/** The credentials config.json gives for the registry keyed `key`, or undefined (anonymous). */
export async function lookupCredentials(
  key: string,
  opts: CredentialOptions = {},
): Promise<Credentials | undefined> {
  const env = opts.env ?? process.env;
  const dir = opts.configDir ?? env.DOCKER_CONFIG ?? join(env.HOME ?? homedir(), '.docker');
  const path = join(dir, 'config.json');
  let config: unknown;
  try {
    config = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new DvolError(
      'invalid',
      `${path} is not readable JSON`,
      'fix it, or log in again with docker login',
    );
  }
  const host = hostOf(key);
  const helpers = own(config, 'credHelpers');
  const helper = own(helpers, key) ?? own(helpers, host) ?? own(config, 'credsStore');
  if (typeof helper === 'string' && helper !== '') {
    const found = await runHelper(helper, key, env);
    if (found) return found;
  }
  const auths = own(config, 'auths');
  let entry = own(auths, key);
  if (entry === undefined && auths !== null && typeof auths === 'object') {
    const match = Object.keys(auths).find((k) => hostOf(k) === host);
    entry = match === undefined ? undefined : own(auths, match);
  }
  return entry === undefined ? undefined : fromAuthEntry(entry as AuthEntry, path);
}

function fromAuthEntry(entry: AuthEntry, path: string): Credentials | undefined {
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const creds: Credentials = {
    username: str(entry.username),
    password: str(entry.password),
    identityToken: str(entry.identitytoken),
    registryToken: str(entry.registrytoken),
  };
  const auth = str(entry.auth);
  if (auth) {
    const decoded = Buffer.from(auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0)
      throw new DvolError('invalid', `an 'auth' entry in ${path} is not base64 of user:password`);
    creds.username = decoded.slice(0, colon);
    creds.password = decoded.slice(colon + 1);
  }
  return Object.values(creds).some((v) => v !== undefined) ? creds : undefined;
}

/** Runs `docker-credential-<name> get`; undefined when the helper has nothing for this registry. */
async function runHelper(
  name: string,
  key: string,
  env: NodeJS.ProcessEnv,
): Promise<Credentials | undefined> {
  const program = `docker-credential-${name}`;
  if (!HELPER_NAME.test(name))
    throw new DvolError('invalid', `credential helper name '${name}' is not valid`);
  const out = await new Promise<string>((resolve, reject) => {
    const child = execFile(
      program,
      ['get'],
      { env, timeout: HELPER_TIMEOUT_MS, maxBuffer: 1 << 20 },
      (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        // The protocol's "nothing stored" answer: not an error, just no credentials.
        if (/credentials not found/i.test(`${stdout}${stderr}`)) return resolve('');
        const why =
          (err as NodeJS.ErrnoException).code === 'ENOENT'
            ? 'is not installed'
            : err.killed
              ? `did not answer within ${HELPER_TIMEOUT_MS / 1000} s`
              : `failed: ${firstLine(stderr || stdout)}`;
        reject(
          new DvolError('denied', `credential helper ${program} ${why}`, 'install it, or fix config.json'),
        );
      },
    );
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(key);
  });
  if (out.trim() === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(out);
  } catch {
    throw new DvolError('denied', `credential helper ${program} printed something other than JSON`);
  }
  const username = own(parsed, 'Username');
  const secret = own(parsed, 'Secret');
  if (typeof secret !== 'string' || secret === '') return undefined;
  if (username === '<token>') return { identityToken: secret };
  return { username: typeof username === 'string' ? username : '', password: secret };
}

/** A helper's error line, cut short: it is shown to the user. */
function firstLine(text: string): string {
  const line = text.trim().split('\n')[0] ?? '';
  return line.length > 160 ? `${line.slice(0, 160)}...` : line || 'no message';
}
