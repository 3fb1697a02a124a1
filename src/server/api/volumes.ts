// /dvol: version, volumes (list, init, inspect, rm), the active volume, fsck.

import { Hono } from 'hono';
import { API_VERSION } from '../../api/version.js';
import { jsonBody } from '../body.js';
import type { Env } from '../deps.js';
import * as ops from '../operations.js';
import { pathOf, reply } from '../respond.js';
import { activeBody, initBody } from '../schemas.js';
import { packageVersion } from '../version.js';

export const volumeRoutes = new Hono<Env>()
  .get(pathOf('GET /dvol/version'), async (c) =>
    reply(c, 'GET /dvol/version', {
      version: await packageVersion(),
      api: API_VERSION,
      defaultDriver: c.var.deps.store.defaultDriver,
    }),
  )
  .get(pathOf('GET /dvol/volumes'), async (c) =>
    reply(c, 'GET /dvol/volumes', {
      volumes: await ops.listVolumes(c.var.deps),
      active: c.var.deps.active.get(),
    }),
  )
  .post(pathOf('POST /dvol/volumes'), jsonBody(initBody), async (c) => {
    const { name, driver, options } = c.var.body;
    const volume = await ops.initVolume(c.var.deps, name, { ...options, ...(driver ? { driver } : {}) });
    return reply(c, 'POST /dvol/volumes', { volume }, 201);
  })
  .get(pathOf('GET /dvol/volumes/:vol'), async (c) => {
    const vol = c.var.deps.store.volume(c.req.param('vol'));
    const [volume, status, containers] = await Promise.all([
      vol.info(),
      vol.status(),
      ops.volumeContainers(c.var.deps, vol.name),
    ]);
    return reply(c, 'GET /dvol/volumes/:vol', { volume, status, containers });
  })
  .delete(pathOf('DELETE /dvol/volumes/:vol'), async (c) => {
    await ops.removeVolume(c.var.deps, c.req.param('vol'));
    return reply(c, 'DELETE /dvol/volumes/:vol', {});
  })
  .get(pathOf('GET /dvol/active'), (c) => reply(c, 'GET /dvol/active', { active: c.var.deps.active.get() }))
  .put(pathOf('PUT /dvol/active'), jsonBody(activeBody), async (c) => {
    const { store, active } = c.var.deps;
    const { name } = await store.volume(c.var.body.name).info();
    await active.set(name);
    return reply(c, 'PUT /dvol/active', { active: name });
  })
  .get(pathOf('GET /dvol/fsck'), async (c) =>
    reply(c, 'GET /dvol/fsck', { problems: await c.var.deps.store.fsck() }),
  )
  .get(pathOf('GET /dvol/volumes/:vol/fsck'), async (c) =>
    reply(c, 'GET /dvol/volumes/:vol/fsck', {
      problems: await c.var.deps.store.volume(c.req.param('vol')).fsck(),
    }),
  );
