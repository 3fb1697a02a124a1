// /dvol: what changed in a volume: a streamed NDJSON diff, or only its totals.

import { Hono } from 'hono';
import { stream } from 'hono/streaming';
import { entryToWire } from '../../storage/diff-json.js';
import { asDvolError } from '../../storage/errors.js';
import type { Env } from '../deps.js';

/**
 * GET /volumes/VOL/diff?from=REF&to=REF|working[&summary=1]. The sides are resolved before the
 * answer starts, so bad refs get a normal error status; a failure once lines are flowing becomes a
 * last `{"error"}` line instead.
 */
export const diffRoutes = new Hono<Env>().get('/volumes/:vol/diff', async (c) => {
  const vol = c.var.deps.store.volume(c.req.param('vol'));
  const diff = await vol.diff(c.req.query('from') || undefined, c.req.query('to') || undefined);
  const head = { from: diff.from, to: diff.to, branch: diff.branch };
  if (c.req.query('summary') === '1') {
    for await (const _ of diff.entries);
    return c.json({ ...head, totals: diff.totals });
  }
  c.header('Content-Type', 'application/x-ndjson');
  return stream(c, async (out) => {
    try {
      await out.writeln(JSON.stringify(head));
      for await (const entry of diff.entries) {
        // Breaking out of the loop stops the walk and releases the volume's lock.
        if (out.aborted) break;
        await out.writeln(JSON.stringify({ entry: entryToWire(entry) }));
      }
      if (!out.aborted) await out.writeln(JSON.stringify({ totals: diff.totals }));
    } catch (err) {
      // A client that went away gets nothing more; the walk and the lock were released by the loop.
      if (out.aborted || out.closed) return;
      const e = asDvolError(err, `comparing volume '${vol.name}'`);
      if (e.code === 'internal') console.error(e.cause ?? e);
      const error = { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) };
      await out.writeln(JSON.stringify({ error }));
    }
  });
});
