// The one place where errors become responses: {"Err"} for Docker's routes, a status + JSON for /dvol.

import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Answer, ErrorBody, RouteKey, StreamKey } from '../api/routes.js';
import { asDvolError, type DvolError, type ErrorCode } from '../storage/errors.js';
import { BodyTooLarge } from './body.js';

/** HTTP status of each error code on the /dvol API (docs/api.md). */
export const STATUS: Record<ErrorCode, ContentfulStatusCode> = {
  invalid: 400,
  not_found: 404,
  exists: 409,
  in_use: 409,
  dirty: 409,
  conflict: 409,
  locked: 423,
  unsupported: 501,
  denied: 403,
  unreachable: 502,
  unavailable: 503,
  no_space: 507,
  corrupt: 500,
  internal: 500,
};

/** Docker's plugin calls, which must always get HTTP 200 and a JSON body. */
export function isDockerRoute(path: string): boolean {
  return path.startsWith('/VolumeDriver.') || path.startsWith('/Plugin.');
}

/** How much of a quoted subject (a name, a ref) an error message repeats. */
const MAX_QUOTED = 100;
/** How long a message or hint may be in an answer. */
const MAX_MESSAGE = 2000;
// A subject is quoted as 'x' with no letter just outside the quotes: the apostrophe of "dvol's" in a
// hint is not the start of one.
const LONG_QUOTED = new RegExp(`(?<!\\w)'([^'\\n]{${MAX_QUOTED + 1},})'(?!\\w)`, 'g');

/** Turns any thrown value into the response its route's protocol expects. */
export function errorResponse(c: Context, err: unknown): Response {
  const e = asDvolError(err, `${c.req.method} ${bounded(c.req.path)}`);
  // Internal errors are bugs or system failures: the operator needs the stack in the plugin's log.
  if (e.code === 'internal') console.error(e.cause ?? e);
  const body = errorBody(e);
  if (isDockerRoute(c.req.path)) {
    const { message, hint } = body.error;
    // Docker shows the string as is: keep git's "hint:" line so the fix reaches `docker volume create`.
    return c.json({ Err: hint ? `${message}\nhint: ${hint}` : message }, 200);
  }
  return c.json(body, err instanceof BodyTooLarge ? 413 : STATUS[e.code]);
}

/** The /dvol error body of an error (also the last line of a stream that failed), its texts bounded. */
export function errorBody(e: DvolError): ErrorBody {
  const hint = e.hint === undefined ? undefined : bounded(e.hint);
  return { error: { code: e.code, message: bounded(e.message), ...(hint ? { hint } : {}) } };
}

/**
 * A message that repeats at most a prefix of the input it quotes: a 10 MB name must not come back as
 * a 10 MB error. Long quoted subjects are cut to their first characters, then the whole is capped.
 */
export function bounded(text: string): string {
  const cut = text.replace(LONG_QUOTED, (_, quoted: string) => `'${quoted.slice(0, MAX_QUOTED)}...'`);
  return cut.length <= MAX_MESSAGE ? cut : `${cut.slice(0, MAX_MESSAGE)}...`;
}

/** The Hono path of a route key, below the `/dvol` mount: `GET /dvol/volumes/:vol` → `/volumes/:vol`. */
export function pathOf<K extends RouteKey | StreamKey>(key: K): HonoPath<K> {
  return key.slice(key.indexOf(' /dvol') + ' /dvol'.length) as HonoPath<K>;
}

/** The literal path type, so Hono types the route's parameters (`c.req.param('vol')` is a string). */
type HonoPath<K extends string> = K extends `${string} /dvol${infer P}` ? P : never;

/** Answers route `key` with its JSON: the route table (src/api/routes.ts) types `answer` here. */
export function reply<K extends RouteKey>(
  c: Context,
  key: K,
  answer: Answer<K>,
  status: 200 | 201 = 200,
): Response {
  return c.json(answer, status);
}
