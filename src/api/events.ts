// The /dvol events stream of a volume: its path and the NDJSON lines it sends. The server builds the
// lines, the CLI (`dvol watch`) reads them; both import these types.

import type { FileEvent } from '../storage/watch/events.js';

export type { FileEvent };

/** dvol's own events on a volume, emitted where the operation happens. */
export type VolumeEvent =
  | { type: 'commit'; branch: string; commit: string }
  | { type: 'reset'; branch: string; commit: string }
  | { type: 'checkout'; branch: string }
  /** `id` is Docker's mount ID (a container's mount point of the volume). */
  | { type: 'mount' | 'unmount'; id: string };

/** A file event or a dvol event, as the bus and the stream carry it. */
export type AnyEvent = FileEvent | VolumeEvent;

/** One line of the stream: when, which volume, and the event's own fields. */
export type EventLine = { time: string; volume: string } & AnyEvent;

/** The stream's first line: the watch is in place, so every change after it is reported. */
export interface WatchingLine {
  watching: string;
}
