// Builds the routes' collaborators around an open store: mount points, containers, guard, active volume,
// and the scheduler of snapshots (started here).

import { chmod, stat } from 'node:fs/promises';
import type { Store } from '../storage/model.js';
import { ActiveVolume } from './active.js';
import type { ServerConfig } from './config.js';
import { Containers } from './containers.js';
import type { Deps } from './deps.js';
import { VolumeGuard } from './guard.js';
import { HeldContainers } from './held.js';
import { Mountpoints } from './mountpoints.js';
import { ScheduleBook } from '../storage/schedule/book.js';
import { Scheduler } from './scheduler/scheduler.js';
import { snapshotVolume } from './scheduler/snapshot.js';
import { EventBus } from './events.js';
import { ExclusiveMounts } from './exclusive.js';
import { Mirrors } from './mirrors.js';
import { VolumeWatches } from './watches.js';

/** Everything createApp needs, with bind mounts reconciled against the persisted mount table. */
export async function buildDeps(config: ServerConfig, store: Store): Promise<Deps> {
  // The state directory is made 0700; the CLI socket lives under it, so group and others need to
  // traverse it (not list it: volumes/ and the rest stay 0700).
  const { mode } = await stat(config.stateDir);
  await chmod(config.stateDir, (mode & 0o7777) | 0o011);
  const mountpoints = await Mountpoints.open(store, config.mountsRoot);
  const containers = new Containers(config.dockerSocket, config.pluginName);
  const held = await HeldContainers.open(config.stateDir);
  const guard = new VolumeGuard(store, mountpoints, containers, held);
  // What a killed predecessor left paused or stopped: restored in the background (starting a
  // container makes Docker call our Mount, which waits for these deps), its volumes' operations
  // queued behind it.
  void guard.resume(await held.leftovers());
  const scheduler = new Scheduler(
    await ScheduleBook.open(store.root),
    (schedule, now) => snapshotVolume({ store, guard }, schedule, now),
    async (name) => (await store.getVolume(name)) !== undefined,
  );
  scheduler.start();
  const events = new EventBus();
  const watches = new VolumeWatches(store, events);
  return {
    config,
    store,
    mountpoints,
    containers,
    guard,
    active: await ActiveVolume.load(config.stateDir),
    scheduler,
    exclusive: new ExclusiveMounts(store, mountpoints, containers),
    events,
    watches,
    mirrors: await Mirrors.open(config.stateDir, store, watches),
  };
}
