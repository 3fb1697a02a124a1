// The Hono app: Docker's VolumeDriver protocol and the /dvol API on one router, errors mapped once.

import { Hono } from 'hono';
import { DvolError } from '../storage/errors.js';
import { apiVersion } from './apiversion.js';
import type { Deps, Env } from './deps.js';
import { branchRoutes } from './api/branches.js';
import { diffRoutes } from './api/diff.js';
import { duRoutes } from './api/du.js';
import { eventRoutes } from './api/events.js';
import { historyRoutes } from './api/history.js';
import { mirrorRoutes } from './api/mirrors.js';
import { scheduleRoutes } from './api/schedules.js';
import { remoteRoutes } from './api/remotes.js';
import { volumeRoutes } from './api/volumes.js';
import { errorResponse } from './respond.js';
import { bootRoutes, volumeDriverRoutes } from './volumedriver.js';

/**
 * Builds the app. `deps` may still be a promise while the store opens: requests then wait for it,
 * so Docker's Get never answers "no such volume" for a real volume just because we are starting.
 */
export function createApp(deps: Deps | Promise<Deps>): Hono<Env> {
  const ready = Promise.resolve(deps);
  // A failed start is reported by every request, not as an unhandled rejection.
  ready.catch(() => undefined);
  const app = new Hono<Env>();
  app.onError((err, c) => errorResponse(c, err));
  app.notFound((c) =>
    errorResponse(
      c,
      new DvolError('not_found', `no route ${c.req.method} ${c.req.path}`, 'see docs/api.md for the routes'),
    ),
  );
  app.route('/', bootRoutes);
  app.use('/dvol/*', apiVersion);
  app.use('*', async (c, next) => {
    const resolved = await ready;
    if (resolved.config.debug) console.log(`${c.req.method} ${c.req.path}`);
    c.set('deps', resolved);
    await next();
  });
  app.route('/', volumeDriverRoutes);
  app.route('/dvol', volumeRoutes);
  app.route('/dvol', historyRoutes);
  app.route('/dvol', branchRoutes);
  app.route('/dvol', diffRoutes);
  app.route('/dvol', scheduleRoutes);
  app.route('/dvol', duRoutes);
  app.route('/dvol', eventRoutes);
  app.route('/dvol', mirrorRoutes);
  app.route('/dvol', remoteRoutes);
  return app;
}
