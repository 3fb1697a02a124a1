// Remote URLs: a registry repository (`ghcr.io/team/db`, `127.0.0.1:5000/team/db`, `docker.io/u/db`)
// or a directory (an absolute path or a `file://` URL), parsed strictly and in linear time.

import { isAbsolute, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DvolError } from '../errors.js';

export type RemoteUrl =
  | { kind: 'directory'; path: string }
  | {
      kind: 'registry';
      /** The host (and port) the distribution API is served on: `registry-1.docker.io` for Docker Hub. */
      registry: string;
      /** The repository inside the registry: `team/db`. */
      repository: string;
      /** The key of the registry in `~/.docker/config.json`: the host, or Docker Hub's legacy URL. */
      credentialKey: string;
      /** How the remote is shown in messages: `docker.io/u/db`, `127.0.0.1:5000/team/db`. */
      location: string;
    };

const MAX_URL = 1024;
/** distribution-spec: a repository name is components of this grammar joined by '/'. */
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DNS_NAME =
  /^(?=.{1,253}$)[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;
const IPV6 = /^\[[0-9a-fA-F:.]{2,45}\]$/;
const DOCKER_HUB = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);
export const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';

function invalid(input: string, why: string, hint?: string): DvolError {
  // A URL written as user:password@host must not put the password into a message or a log.
  const redacted = input.replace(/[^/]*@/, '***@');
  const shown = redacted.length > 80 ? `${redacted.slice(0, 80)}...` : redacted;
  return new DvolError('invalid', `remote URL ${JSON.stringify(shown)} ${why}`, hint);
}

/** Parses a remote URL; throws `invalid` with one sentence saying what is wrong. */
export function parseRemoteUrl(input: string): RemoteUrl {
  if (typeof input !== 'string' || input === '') throw invalid(String(input), 'is empty');
  if (input.length > MAX_URL) throw invalid(input, `is longer than ${MAX_URL} characters`);
  // Control characters and spaces have no place in either kind, and would garble messages.
  if (/[\s\p{Cc}]/u.test(input)) throw invalid(input, 'contains spaces or control characters');
  if (input.startsWith('file:')) return directory(input, fileUrlPath(input));
  if (input.startsWith('/')) return directory(input, input);
  if (input.startsWith('.') || input.startsWith('~')) {
    throw invalid(input, 'is a relative path', 'give a directory as an absolute path or a file:// URL');
  }
  if (input.includes('://')) {
    throw invalid(input, 'has a scheme', 'write a registry repository without one: ghcr.io/team/db');
  }
  return registry(input);
}

function fileUrlPath(input: string): string {
  let path: string;
  try {
    // WHATWG reads `file:x` as `file:///x`: insist on the full form so a typo is not a surprise.
    if (!input.startsWith('file://')) throw new Error('not file://');
    path = fileURLToPath(input);
  } catch {
    throw invalid(input, 'is not a local file:// URL', 'write it as file:///absolute/path');
  }
  return path;
}

function directory(input: string, path: string): RemoteUrl {
  if (!isAbsolute(path) || path.includes('\0')) throw invalid(input, 'is not an absolute path');
  const clean = normalize(path);
  return { kind: 'directory', path: clean.length > 1 ? clean.replace(/\/+$/, '') : clean };
}

function registry(input: string): RemoteUrl {
  const slash = input.indexOf('/');
  const first = slash < 0 ? input : input.slice(0, slash);
  // Docker's rule: the first component is a registry host when it has a dot or a port, or is localhost.
  const isHost = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  const host = isHost ? checkHost(input, first.toLowerCase()) : 'docker.io';
  const repository = isHost ? input.slice(slash + 1) : input;
  const components = repository.split('/');
  if (!isHost && components.length < 2) {
    throw invalid(
      input,
      'names no registry repository',
      `write REGISTRY/REPOSITORY (docker.io/USER/${repository}), or an absolute path for a directory`,
    );
  }
  for (const component of components) {
    if (!COMPONENT.test(component)) {
      const lower = component.toLowerCase() !== component ? ' (repository names are lowercase)' : '';
      throw invalid(input, `has an invalid repository name${lower}`, 'use [a-z0-9] separated by . _ - and /');
    }
  }
  if (repository.length > 255) throw invalid(input, 'has a repository name longer than 255 characters');
  const hub = DOCKER_HUB.has(host);
  return {
    kind: 'registry',
    registry: hub ? 'registry-1.docker.io' : host,
    repository,
    credentialKey: hub ? DOCKER_HUB_KEY : host,
    location: `${hub ? 'docker.io' : host}/${repository}`,
  };
}

function checkHost(input: string, host: string): string {
  const match = /^(\[[^\]]*\]|[^:]*)(?::(\d{1,5}))?$/.exec(host);
  const name = match?.[1] ?? '';
  const port = match?.[2];
  const portOk = port === undefined || (Number(port) >= 1 && Number(port) <= 65535 && !port.startsWith('0'));
  if (!match || !(DNS_NAME.test(name) || IPV6.test(name)) || !portOk) {
    throw invalid(input, 'has an invalid registry host', 'write it as host[:port], e.g. 127.0.0.1:5000');
  }
  return host;
}
