// The one place where errors become responses: {"Err"} for Docker's routes, a status + JSON for /dvol.

import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { asDvolError, type ErrorCode } from '../storage/errors.js';

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
  unavailable: 503,
  no_space: 507,
  corrupt: 500,
  internal: 500,
};

/** Docker's plugin calls, which must always get HTTP 200 and a JSON body. */
export function isDockerRoute(path: string): boolean {
  return path.startsWith('/VolumeDriver.') || path.startsWith('/Plugin.');
}

/** Turns any thrown value into the response its route's protocol expects. */
export function errorResponse(c: Context, err: unknown): Response {
  const e = asDvolError(err, `${c.req.method} ${c.req.path}`);
  // Internal errors are bugs or system failures: the operator needs the stack in the plugin's log.
  if (e.code === 'internal') console.error(e.cause ?? e);
  if (isDockerRoute(c.req.path)) {
    // Docker shows the string as is: keep git's "hint:" line so the fix reaches `docker volume create`.
    return c.json({ Err: e.hint ? `${e.message}\nhint: ${e.hint}` : e.message }, 200);
  }
  const error = { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) };
  return c.json({ error }, STATUS[e.code]);
}
