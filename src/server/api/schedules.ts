// /dvol: schedules of scheduled snapshots (add, list, pause, resume, remove) and the snapshots taken.

import { Hono } from 'hono';
import type { ScheduleInfo } from '../../api/schedule.js';
import { scheduleText, type Schedule } from '../../storage/schedule/book.js';
import { parseDuration } from '../../storage/schedule/duration.js';
import { parseRules } from '../../storage/schedule/retention.js';
import { jsonBody } from '../body.js';
import type { Env } from '../deps.js';
import { pathOf, reply } from '../respond.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import { scheduleBody } from '../schemas.js';

function show(scheduler: Scheduler, s: Schedule): ScheduleInfo {
  const next = scheduler.nextRunAt(s);
  return {
    volume: s.volume,
    ...scheduleText(s),
    ...(next === undefined ? {} : { nextRunAt: new Date(next).toISOString() }),
  };
}

export const scheduleRoutes = new Hono<Env>()
  .get(pathOf('GET /dvol/schedules'), (c) => {
    const { scheduler } = c.var.deps;
    return reply(c, 'GET /dvol/schedules', { schedules: scheduler.list().map((s) => show(scheduler, s)) });
  })
  .post(pathOf('POST /dvol/volumes/:vol/schedule'), jsonBody(scheduleBody), async (c) => {
    const { store, scheduler } = c.var.deps;
    const vol = store.volume(c.req.param('vol'));
    await vol.info(); // not_found before anything is written
    const { every, keep = '', keepLast = 0 } = c.var.body;
    const settings = {
      everyMs: parseDuration(every, 'schedule interval'),
      rules: parseRules(keep),
      keepLast,
    };
    const schedule = show(scheduler, await scheduler.add(vol.name, settings));
    return reply(c, 'POST /dvol/volumes/:vol/schedule', { schedule }, 201);
  })
  .post(pathOf('POST /dvol/volumes/:vol/schedule/pause'), async (c) => {
    const { scheduler } = c.var.deps;
    const schedule = show(scheduler, await scheduler.setPaused(c.req.param('vol'), true));
    return reply(c, 'POST /dvol/volumes/:vol/schedule/pause', { schedule });
  })
  .post(pathOf('POST /dvol/volumes/:vol/schedule/resume'), async (c) => {
    const { scheduler } = c.var.deps;
    const schedule = show(scheduler, await scheduler.setPaused(c.req.param('vol'), false));
    return reply(c, 'POST /dvol/volumes/:vol/schedule/resume', { schedule });
  })
  .delete(pathOf('DELETE /dvol/volumes/:vol/schedule'), async (c) => {
    await c.var.deps.scheduler.remove(c.req.param('vol'));
    return reply(c, 'DELETE /dvol/volumes/:vol/schedule', {});
  })
  .get(pathOf('GET /dvol/volumes/:vol/snapshots'), async (c) => {
    const vol = c.var.deps.store.volume(c.req.param('vol'));
    return reply(c, 'GET /dvol/volumes/:vol/snapshots', {
      snapshots: await vol.snapshots(c.req.query('branch')),
    });
  });
