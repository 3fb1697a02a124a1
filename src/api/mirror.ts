// The /dvol mirror routes: paths, the request body and the answers of `dvol mirror add|list|rm`.

import type { MirrorStatus } from '../storage/mirror/redis-mirror.js';

export type { MirrorState, MirrorStatus } from '../storage/mirror/redis-mirror.js';

/** POST body of a new mirror of a volume. */
export interface MirrorAddBody {
  /** redis://[USER:PASSWORD@]HOST:PORT/DB or rediss://...; kept in the state directory only. */
  url: string;
  /** Prepended to every key (default: none). */
  prefix?: string;
}

/** One mirror as listed: its id, its volume and how it is doing (the URL without credentials). */
export interface MirrorInfo extends MirrorStatus {
  id: string;
  volume: string;
}

/** GET: every mirror. */
export const MIRRORS_PATH = '/dvol/mirrors';

/** POST (MirrorAddBody → 201 MirrorAnswer): a new mirror of the volume. */
export function volumeMirrorsPath(volume: string): string {
  return `/dvol/volumes/${encodeURIComponent(volume)}/mirrors`;
}

/** DELETE: stops the mirror and forgets it (its keys stay in Redis). */
export function mirrorPath(id: string): string {
  return `${MIRRORS_PATH}/${encodeURIComponent(id)}`;
}

export interface MirrorList {
  mirrors: MirrorInfo[];
}

export interface MirrorAnswer {
  mirror: MirrorInfo;
}
