// Where a mirror writes: a Redis URL (redis:// or rediss://, optional user, password and database)
// and a key prefix. Parsed once, and shown only without its credentials.

import { DvolError } from '../errors.js';

export interface RedisTarget {
  /** The URL as given, credentials included: only ever handed to the Redis client. */
  url: string;
  /** `redis://host:port/db`, safe for messages, logs and --json. */
  display: string;
  prefix: string;
}

const MAX_PREFIX = 256;

/** Checks a mirror's URL and prefix; the message never repeats a password. */
export function parseRedisTarget(url: string, prefix = ''): RedisTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DvolError('invalid', 'the mirror URL is not a URL', 'write it as redis://HOST:PORT/DB');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new DvolError(
      'invalid',
      `a mirror URL must start with redis:// or rediss://, not ${parsed.protocol}//`,
    );
  }
  if (parsed.hostname === '')
    throw new DvolError('invalid', 'the mirror URL has no host', 'write it as redis://HOST:PORT/DB');
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d{1,5}$/.test(db)) {
    throw new DvolError(
      'invalid',
      'the database in a mirror URL must be a number',
      'write it as redis://HOST:PORT/DB',
    );
  }
  if (prefix.length > MAX_PREFIX || prefix.includes('\0')) {
    throw new DvolError('invalid', `a mirror prefix must be at most ${MAX_PREFIX} characters, without NUL`);
  }
  const display = `${parsed.protocol}//${parsed.host}${db === '' ? '' : `/${db}`}`;
  return { url, display, prefix };
}

/** A SCAN MATCH pattern for every key that starts with `literal`. */
export function prefixPattern(literal: string): string {
  return `${literal.replace(/[*?[\]\\]/g, (c) => `\\${c}`)}*`;
}
