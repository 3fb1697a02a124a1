// What the routes need, built once by main.ts (or a test) and handed to createApp.

import type { Store } from '../storage/model.js';
import type { ActiveVolume } from './active.js';
import type { ServerConfig } from './config.js';
import type { Containers } from './containers.js';
import type { VolumeGuard } from './guard.js';
import type { Mountpoints } from './mountpoints.js';
import type { Scheduler } from './scheduler/scheduler.js';
import type { EventBus } from './events.js';
import type { ExclusiveMounts } from './exclusive.js';
import type { Mirrors } from './mirrors.js';
import type { VolumeWatches } from './watches.js';

/** The server's collaborators; every route reads them as `c.var.deps`. */
export interface Deps {
  config: ServerConfig;
  store: Store;
  mountpoints: Mountpoints;
  containers: Containers;
  /** Runs checkout, reset and commit with the volume's containers stopped or paused. */
  guard: VolumeGuard;
  active: ActiveVolume;
  /** Scheduled snapshots: started by buildDeps, stopped before the store closes. */
  scheduler: Scheduler;
  /** Mount for Docker, refusing a second container on an exclusive volume. */
  exclusive: ExclusiveMounts;
  /** dvol's own events and file events, per volume. */
  events: EventBus;
  /** The shared watch of each followed volume's data. */
  watches: VolumeWatches;
  /** The Redis mirrors, persisted in the state directory. */
  mirrors: Mirrors;
}

/** Hono environment of every route. */
export interface Env {
  Variables: { deps: Deps };
}
