// Request bodies parsed our own way: Docker sends no Content-Type and sometimes nothing at all.

import type { MiddlewareHandler } from 'hono';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { DvolError } from '../storage/errors.js';

/**
 * Middleware that reads the body as text (empty = `{}`), parses it as JSON and validates it with a
 * compiled schema; handlers read the result as `c.var.body`. Failures throw 'invalid', which the app's
 * error handler turns into `{"Err"}` or a 400.
 */
export function jsonBody<T>(validate: ValidateFunction<T>): MiddlewareHandler<{ Variables: { body: T } }> {
  return async (c, next) => {
    const text = await c.req.text();
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

/** One readable clause per schema violation, e.g. "body/Name must be string". */
function describe(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .map((e) => {
      const where = `body${e.instancePath}`;
      if (e.keyword === 'additionalProperties') {
        return `${where} has unknown field '${String(e.params.additionalProperty)}'`;
      }
      return `${where} ${e.message ?? 'is invalid'}`;
    })
    .join('; ');
}
