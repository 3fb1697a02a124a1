// Creating and removing a volume, shared by Docker's Create/Remove and the /dvol API.

import type { VolumeInfo } from '../storage/model.js';
import type { Deps } from './deps.js';
import { createOptions } from './options.js';

/** Creates a volume from Docker-style options (`driver` plus the driver's own options). */
export async function createVolume(
  deps: Deps,
  name: string,
  opts: Record<string, string>,
): Promise<VolumeInfo> {
  const { store, drivers } = deps;
  return store.createVolume(name, createOptions(name, opts, drivers, store.defaultDriver));
}

/**
 * Deletes a volume and its history, its mount point and its active mark. Refused while mounted, unless
 * the mounts are stale (no container references the volume any more).
 */
export async function removeVolume(deps: Deps, name: string): Promise<void> {
  await deps.store.volume(name).info();
  await deps.guard.clearIfStale(name);
  await deps.store.removeVolume(name);
  await deps.mountpoints.forget(name);
  await deps.active.forget(name);
}
