// /dvol: version, volumes (list, init, inspect, rm), the active volume, fsck.

import { Hono } from 'hono';
import { jsonBody } from '../body.js';
import type { Deps, Env } from '../deps.js';
import { createVolume, removeVolume } from '../lifecycle.js';
import { activeBody, initBody } from '../schemas.js';
import { packageVersion } from '../version.js';

export const volumeRoutes = new Hono<Env>()
  .get('/version', async (c) =>
    c.json({ version: await packageVersion(), defaultDriver: c.var.deps.store.defaultDriver }),
  )
  .get('/volumes', async (c) => {
    const { store, active } = c.var.deps;
    const [summaries, users] = await Promise.all([store.summarizeVolumes(), containerNames(c.var.deps)]);
    const volumes = summaries.map((v) => ({ ...v, containers: users.get(v.name) ?? [] }));
    return c.json({ volumes, active: active.get() });
  })
  .post('/volumes', jsonBody(initBody), async (c) => {
    const { name, driver, options } = c.var.body;
    const volume = await createVolume(c.var.deps, name, { ...options, ...(driver ? { driver } : {}) });
    await c.var.deps.active.set(name);
    return c.json({ volume }, 201);
  })
  .get('/volumes/:vol', async (c) => {
    const vol = c.var.deps.store.volume(c.req.param('vol'));
    const [volume, status, users] = await Promise.all([vol.info(), vol.status(), containerNames(c.var.deps)]);
    return c.json({ volume, status, containers: users.get(vol.name) ?? [] });
  })
  .delete('/volumes/:vol', async (c) => {
    await removeVolume(c.var.deps, c.req.param('vol'));
    return c.json({});
  })
  .get('/active', (c) => c.json({ active: c.var.deps.active.get() }))
  .put('/active', jsonBody(activeBody), async (c) => {
    const { store, active } = c.var.deps;
    const { name } = await store.volume(c.var.body.name).info();
    await active.set(name);
    return c.json({ active: name });
  })
  .get('/fsck', async (c) => c.json({ problems: await c.var.deps.store.fsck() }))
  .get('/volumes/:vol/fsck', async (c) =>
    c.json({ problems: await c.var.deps.store.volume(c.req.param('vol')).fsck() }),
  );

/**
 * Names of the running containers using each volume. Docker is asked only when some volume is
 * mounted, and a Docker that cannot be reached means "none known": a listing must not fail for it.
 */
async function containerNames(deps: Deps): Promise<Map<string, string[]>> {
  const volumes = await deps.store.listVolumes();
  if (!volumes.some((v) => deps.store.mounts.count(v.name) > 0)) return new Map();
  try {
    const byVolume = await deps.containers.byVolume();
    return new Map([...byVolume].map(([name, refs]) => [name, refs.map((r) => r.name)]));
  } catch (err) {
    if (deps.config.debug) console.error(err);
    return new Map();
  }
}
