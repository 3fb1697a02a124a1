// /dvol: schedules of scheduled snapshots (add, list, pause, resume, remove) and the snapshots taken.

import { Hono } from 'hono';
import type { ScheduleInfo } from '../../api/schedule.js';
import { scheduleText, type Schedule } from '../../storage/schedule/book.js';
import { parseDuration } from '../../storage/schedule/duration.js';
import { parseRules } from '../../storage/schedule/retention.js';
import { jsonBody } from '../body.js';
import type { Env } from '../deps.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import { scheduleBody } from './schedule-schemas.js';

function show(scheduler: Scheduler, s: Schedule): ScheduleInfo {
  const next = scheduler.nextRunAt(s);
  return {
    volume: s.volume,
    ...scheduleText(s),
    ...(next === undefined ? {} : { nextRunAt: new Date(next).toISOString() }),
  };
}

export const scheduleRoutes = new Hono<Env>()
  .get('/schedules', (c) => {
    const { scheduler } = c.var.deps;
    return c.json({ schedules: scheduler.list().map((s) => show(scheduler, s)) });
  })
  .post('/volumes/:vol/schedule', jsonBody(scheduleBody), async (c) => {
    const { store, scheduler } = c.var.deps;
    const vol = store.volume(c.req.param('vol'));
    await vol.info(); // not_found before anything is written
    const { every, keep = '', keepLast = 0 } = c.var.body;
    const settings = {
      everyMs: parseDuration(every, 'schedule interval'),
      rules: parseRules(keep),
      keepLast,
    };
    return c.json({ schedule: show(scheduler, await scheduler.add(vol.name, settings)) }, 201);
  })
  .post('/volumes/:vol/schedule/:action{pause|resume}', async (c) => {
    const { scheduler } = c.var.deps;
    const paused = c.req.param('action') === 'pause';
    return c.json({ schedule: show(scheduler, await scheduler.setPaused(c.req.param('vol'), paused)) });
  })
  .delete('/volumes/:vol/schedule', async (c) => {
    await c.var.deps.scheduler.remove(c.req.param('vol'));
    return c.json({});
  })
  .get('/volumes/:vol/snapshots', async (c) => {
    const vol = c.var.deps.store.volume(c.req.param('vol'));
    return c.json({ snapshots: await vol.snapshots(c.req.query('branch')) });
  });
