// Request bodies parsed our own way: Docker sends no Content-Type and sometimes nothing at all.

import type { MiddlewareHandler } from 'hono';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { DvolError } from '../storage/errors.js';

/** Docker's bodies and ours are a few hundred bytes; a commit message is the largest legitimate one. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** No body of ours nests deeper than 3; parsing a megabyte of `[` takes seconds. */
const MAX_DEPTH = 32;

/** A body over the limit: 'invalid', answered 413 on /dvol (respond.ts). */
export class BodyTooLarge extends DvolError {
  constructor() {
    super(
      'invalid',
      `the request body is larger than ${MAX_BODY_BYTES} bytes`,
      'send a smaller body; dvol requests are a few hundred bytes',
    );
  }
}

/**
 * Middleware that reads the body as text (empty = `{}`), parses it as JSON and validates it with a
 * compiled schema; handlers read the result as `c.var.body`. Failures throw 'invalid', which the app's
 * error handler turns into `{"Err"}` or a 400.
 */
export function jsonBody<T>(validate: ValidateFunction<T>): MiddlewareHandler<{ Variables: { body: T } }> {
  return async (c, next) => {
    const text = await readLimited(c.req.raw);
    if (tooDeep(text)) {
      throw new DvolError(
        'invalid',
        `the request body nests arrays or objects deeper than ${MAX_DEPTH} levels`,
        'send a JSON object such as {"Name": "data"}',
      );
    }
    let value: unknown;
    try {
      value = text.trim() === '' ? {} : JSON.parse(text);
    } catch (err) {
      throw new DvolError(
        'invalid',
        `the request body is not valid JSON: ${(err as Error).message}`,
        'send a JSON object such as {"Name": "data"}',
      );
    }
    if (!validate(value)) {
      throw new DvolError('invalid', `bad request body: ${describe(validate.errors)}`, 'see docs/api.md');
    }
    c.set('body', value);
    await next();
  };
}

/**
 * The body as UTF-8 text, read only up to MAX_BODY_BYTES: a larger one is refused as soon as it is
 * known to be larger (by its Content-Length, or once that many bytes came), and the rest is never read.
 */
async function readLimited(request: Request): Promise<string> {
  const declared = Number(request.headers.get('content-length') ?? 0);
  if (declared > MAX_BODY_BYTES) {
    await request.body?.cancel().catch(() => undefined);
    throw new BodyTooLarge();
  }
  if (request.body === null) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel().catch(() => undefined);
      throw new BodyTooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Whether JSON text nests deeper than MAX_DEPTH, found in one pass that skips strings. */
function tooDeep(text: string): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c)
        i++; // backslash: the next character is escaped
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x5b || ch === 0x7b) {
      if (++depth > MAX_DEPTH) return true;
    } else if (ch === 0x5d || ch === 0x7d) depth--;
  }
  return false;
}

/** One readable clause per schema violation, e.g. "body/Name must be string". */
function describe(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .map((e) => {
      const where = `body${e.instancePath}`;
      if (e.keyword === 'additionalProperties') {
        return `${where} has unknown field '${String(e.params.additionalProperty)}'`;
      }
      // Our limits carry their own sentence; ajv's would quote the pattern.
      const own = (e.parentSchema as { description?: unknown } | undefined)?.description;
      if (typeof own === 'string' && ['maxLength', 'pattern'].includes(e.keyword)) return `${where} ${own}`;
      return `${where} ${e.message ?? 'is invalid'}`;
    })
    .join('; ');
}
