// Docker's VolumeDriver protocol: the whole of it, answered from the store's metadata.

import { Hono } from 'hono';
import type { VolumeInfo } from '../storage/model.js';
import { jsonBody } from './body.js';
import type { Env } from './deps.js';
import type { Mountpoints } from './mountpoints.js';
import { createVolume, removeVolume } from './operations.js';
import { dockerCreate, dockerEmpty, dockerMount, dockerName, dockerUnmount } from './schemas.js';

/** Answers that need no store: Docker asks for them before anything else and very often. */
export const bootRoutes = new Hono()
  // Only legacy (unmanaged) plugins are sent Activate, with an empty body; answering it is harmless.
  .post('/Plugin.Activate', (c) => c.json({ Implements: ['VolumeDriver'] }))
  // Called on nearly every operation for managed plugins: keep it trivial.
  .post('/VolumeDriver.Capabilities', (c) => c.json({ Capabilities: { Scope: 'local' } }));

/** Create, Remove, Mount, Unmount, Path, Get and List. */
export const volumeDriverRoutes = new Hono<Env>()
  .post('/VolumeDriver.Create', jsonBody(dockerCreate), async (c) => {
    await createVolume(c.var.deps, c.var.body.Name, c.var.body.Opts ?? {});
    return c.json({});
  })
  .post('/VolumeDriver.Remove', jsonBody(dockerName), async (c) => {
    await removeVolume(c.var.deps, c.var.body.Name);
    return c.json({});
  })
  .post('/VolumeDriver.Mount', jsonBody(dockerMount), async (c) => {
    const { Name, ID } = c.var.body;
    const Mountpoint = await c.var.deps.exclusive.mount(Name, ID);
    c.var.deps.events.emit(Name, { type: 'mount', id: ID });
    return c.json({ Mountpoint });
  })
  .post('/VolumeDriver.Unmount', jsonBody(dockerUnmount), async (c) => {
    const { store, mountpoints } = c.var.deps;
    const { Name, ID } = c.var.body;
    // An unknown volume or ID is a no-op: failing would leave Docker holding a stale mount ID.
    if ((await store.getVolume(Name)) === undefined) return c.json({});
    await mountpoints.unmount(Name, ID);
    c.var.deps.events.emit(Name, { type: 'unmount', id: ID });
    return c.json({});
  })
  .post('/VolumeDriver.Path', jsonBody(dockerName), async (c) => {
    const { store, mountpoints } = c.var.deps;
    const { Name } = c.var.body;
    await store.volume(Name).info();
    return c.json(mountpointOf(mountpoints, Name));
  })
  .post('/VolumeDriver.Get', jsonBody(dockerName), async (c) => {
    const { store, mountpoints } = c.var.deps;
    const info = await store.volume(c.var.body.Name).info();
    return c.json({ Volume: dockerVolume(info, mountpoints, store.mounts.count(info.name)) });
  })
  .post('/VolumeDriver.List', jsonBody(dockerEmpty), async (c) => {
    const { store, mountpoints } = c.var.deps;
    const volumes = await store.listVolumes();
    return c.json({ Volumes: volumes.map((v) => ({ Name: v.name, ...mountpointOf(mountpoints, v.name) })) });
  });

/** The mount point only while mounted: an unmounted volume has no directory to show. */
function mountpointOf(mountpoints: Mountpoints, name: string): { Mountpoint?: string } {
  return mountpoints.isMounted(name) ? { Mountpoint: mountpoints.path(name) } : {};
}

/** Get's volume: `Status` is what `docker volume inspect` shows; CreatedAt must be RFC 3339 or absent. */
function dockerVolume(info: VolumeInfo, mountpoints: Mountpoints, mounts: number) {
  const created = new Date(info.createdAt);
  return {
    Name: info.name,
    ...mountpointOf(mountpoints, info.name),
    ...(Number.isNaN(created.getTime()) ? {} : { CreatedAt: created.toISOString() }),
    Status: {
      branch: info.activeBranch,
      head: info.head ?? '',
      branches: info.branchCount,
      driver: info.driver,
      ...(Object.keys(info.options).length > 0 ? { options: info.options } : {}),
      ...(info.exclusive ? { exclusive: true } : {}),
      mounts,
    },
  };
}
