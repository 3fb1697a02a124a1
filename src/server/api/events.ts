// /dvol: a volume's events as NDJSON (file changes in its data, and dvol's own events), and until the
// operations module emits commit, reset and checkout itself, the middleware that emits them after a
// successful route.

import { Hono, type MiddlewareHandler } from 'hono';
import { stream } from 'hono/streaming';
import type { EventLine, WatchingLine } from '../../api/events.js';
import { DvolError } from '../../storage/errors.js';
import type { Env } from '../deps.js';
import { bounded } from '../respond.js';

/** Lines kept for a client that reads nothing; past this it is told it fell behind and dropped. */
const MAX_QUEUED = 10_000;

/**
 * GET /volumes/VOL/events. The watch is in place before the first line (`{"watching"}`), so a change
 * made after reading it is reported. Runs until the client goes away; a failed watch ends it with an
 * `{"error"}` line.
 */
export const eventRoutes = new Hono<Env>().get('/volumes/:vol/events', async (c) => {
  const { store, events, watches } = c.var.deps;
  const { name } = await store.volume(c.req.param('vol')).info();
  const queue: string[] = [];
  let failure: DvolError | undefined;
  let wake: () => void = () => undefined;
  const push = (line: string) => {
    if (queue.length >= MAX_QUEUED) {
      failure ??= new DvolError(
        'internal',
        `the events of volume '${name}' were dropped: ${MAX_QUEUED} of them waited for the client to read them`,
        'read the stream as it comes (pipe dvol watch into a faster consumer)',
      );
    } else queue.push(line);
    wake();
  };
  const off = events.on(name, (event, time) => {
    const line: EventLine = { time: time.toISOString(), volume: name, ...event };
    push(JSON.stringify(line));
  });
  const unwatch = await watches
    .subscribe(name, {
      failed: (err) => {
        failure = err;
        wake();
      },
    })
    .catch((err: unknown) => {
      off();
      throw err;
    });
  c.header('Content-Type', 'application/x-ndjson');
  return stream(c, async (out) => {
    const aborted = new Promise<void>((resolve) => out.onAbort(resolve));
    try {
      const first: WatchingLine = { watching: name };
      await out.writeln(JSON.stringify(first));
      while (!out.aborted) {
        for (let line = queue.shift(); line !== undefined; line = queue.shift()) await out.writeln(line);
        if (failure !== undefined) {
          const { code, message, hint } = failure;
          await out.writeln(
            JSON.stringify({ error: { code, message: bounded(message), ...(hint ? { hint } : {}) } }),
          );
          break;
        }
        await Promise.race([aborted, new Promise<void>((resolve) => (wake = resolve))]);
      }
    } finally {
      off();
      await unwatch();
    }
  });
});

const OPERATION = /^\/dvol\/volumes\/([^/]+)\/(reset|checkout|commits)$/;

/** Emits commit, reset and checkout after their route answered 2xx (operations.ts will do it instead). */
export const operationEvents: MiddlewareHandler<Env> = async (c, next) => {
  await next();
  const match = OPERATION.exec(c.req.path);
  if (c.req.method !== 'POST' || !c.res.ok || match === null) return;
  const { store, events } = c.var.deps;
  const name = decodeURIComponent(match[1] ?? '');
  const info = await store.getVolume(name).catch(() => undefined);
  if (info === undefined) return;
  const branch = info.activeBranch;
  if (match[2] === 'checkout') events.emit(name, { type: 'checkout', branch });
  else
    events.emit(name, { type: match[2] === 'reset' ? 'reset' : 'commit', branch, commit: info.head ?? '' });
};
