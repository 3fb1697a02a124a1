// /dvol: what changed in a volume: a streamed NDJSON diff, or only its totals.

import { Hono } from 'hono';
import type { Context } from 'hono';
import { stream } from 'hono/streaming';
import type { StreamingApi } from 'hono/utils/stream';
import type { DiffHead, DiffLine } from '../../api/routes.js';
import { entryToWire } from '../../storage/diff-json.js';
import { asDvolError } from '../../storage/errors.js';
import type { Env } from '../deps.js';
import { errorBody, pathOf, reply } from '../respond.js';

/**
 * A client that takes no line for this long (think `dvol diff | less` left open) is dropped: the walk
 * holds the volume's lock, which commit, reset and rm wait for.
 */
const WRITE_TIMEOUT_MS = 30_000;

/**
 * GET /volumes/VOL/diff?from=REF&to=REF|working[&summary=1]. The sides are resolved before the
 * answer starts, so bad refs get a normal error status; a failure once lines are flowing becomes a
 * last `{"error"}` line instead.
 */
export const diffRoutes = new Hono<Env>().get(pathOf('GET /dvol/volumes/:vol/diff'), async (c) => {
  const vol = c.var.deps.store.volume(c.req.param('vol'));
  const diff = await vol.diff(c.req.query('from') || undefined, c.req.query('to') || undefined);
  const head: DiffHead = { from: diff.from, to: diff.to, branch: diff.branch };
  if (c.req.query('summary') === '1') {
    for await (const _ of diff.entries);
    return reply(c, 'GET /dvol/volumes/:vol/diff', { ...head, totals: diff.totals });
  }
  c.header('Content-Type', 'application/x-ndjson');
  const timeout = c.var.deps.config.writeTimeoutMs ?? WRITE_TIMEOUT_MS;
  return stream(c, async (out) => {
    const send = (value: DiffHead | DiffLine) => writeWithin(c, out, JSON.stringify(value), timeout);
    try {
      await send(head);
      for await (const entry of diff.entries) {
        // Breaking out of the loop stops the walk and releases the volume's lock.
        if (out.aborted) break;
        await send({ entry: entryToWire(entry) });
      }
      if (!out.aborted) await send({ totals: diff.totals });
    } catch (err) {
      // A client that went away gets nothing more; the walk and the lock were released by the loop.
      if (out.aborted || out.closed) return;
      const e = asDvolError(err, `comparing volume '${vol.name}'`);
      if (e.code === 'internal') console.error(e.cause ?? e);
      await send(errorBody(e));
    }
  });
});

/**
 * Writes one line, or aborts the stream and drops the connection when the client has not taken it
 * within `ms`: a write waits while the client reads nothing, and with it the walk and its lock.
 */
async function writeWithin(c: Context<Env>, out: StreamingApi, line: string, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<true>((resolve) => (timer = setTimeout(() => resolve(true), ms)));
  try {
    if ((await Promise.race([out.writeln(line).then(() => false), stalled])) === true) {
      out.abort();
      // On a socket (@hono/node-server's bindings), the unread bytes would keep it open: close it.
      (c.env as { outgoing?: { destroy(): void } } | undefined)?.outgoing?.destroy();
    }
  } finally {
    clearTimeout(timer);
  }
}
