// /dvol: a volume's events as NDJSON: file changes in its data, and dvol's own events (commit, reset
// and checkout from operations.ts, mount and unmount from the VolumeDriver handlers).

import { Hono } from 'hono';
import { stream } from 'hono/streaming';
import type { EventLine, WatchingLine } from '../../api/events.js';
import { DvolError } from '../../storage/errors.js';
import type { Env } from '../deps.js';
import { errorBody, pathOf } from '../respond.js';

/** Lines kept for a client that reads nothing; past this it is told it fell behind and dropped. */
const MAX_QUEUED = 10_000;

/**
 * GET /volumes/VOL/events. The watch is in place before the first line (`{"watching"}`), so a change
 * made after reading it is reported. Runs until the client goes away; a failed watch ends it with an
 * `{"error"}` line.
 */
export const eventRoutes = new Hono<Env>().get(pathOf('GET /dvol/volumes/:vol/events'), async (c) => {
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
          await out.writeln(JSON.stringify(errorBody(failure)));
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
