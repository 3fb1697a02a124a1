// The answers of the mirror routes (`dvol mirror add|list|rm`); their keys are in routes.ts, their body
// in bodies.ts. Types only.

import type { MirrorStatus } from '../storage/mirror/redis-mirror.js';

export type { MirrorState, MirrorStatus } from '../storage/mirror/redis-mirror.js';

/** POST body of a new mirror of a volume. */
/** One mirror as listed: its id, its volume and how it is doing (the URL without credentials). */
export interface MirrorInfo extends MirrorStatus {
  id: string;
  volume: string;
}

export interface MirrorList {
  mirrors: MirrorInfo[];
}

export interface MirrorAnswer {
  mirror: MirrorInfo;
}
