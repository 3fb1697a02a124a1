// The event bus of dvol's own events (mount, unmount, commit, reset, checkout) and of file events,
// per volume: the events stream and the mirrors listen; the operations emit, one call each.

import type { AnyEvent, VolumeEvent } from '../api/events.js';

export type { AnyEvent, VolumeEvent };

export type EventListener = (event: AnyEvent, time: Date) => void;

/** Listeners by volume name (a Map: names come from users). A throwing listener is logged, never fatal. */
export class EventBus {
  readonly #listeners = new Map<string, Set<EventListener>>();

  /** Tells every listener of `volume`, synchronously, in the order they subscribed. */
  emit(volume: string, event: AnyEvent): void {
    const time = new Date();
    for (const listener of [...(this.#listeners.get(volume) ?? [])]) {
      try {
        listener(event, time);
      } catch (err) {
        console.error(`dvol: a listener of volume '${volume}' failed on ${event.type}:`, err);
      }
    }
  }

  /** Listens to `volume`'s events until the returned function is called. */
  on(volume: string, listener: EventListener): () => void {
    let set = this.#listeners.get(volume);
    if (set === undefined) this.#listeners.set(volume, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.#listeners.get(volume) === set) this.#listeners.delete(volume);
    };
  }
}

/** Whether the data underneath changed wholesale, so watches restart and mirrors resync. */
export function replacesData(event: AnyEvent): boolean {
  return event.type === 'reset' || event.type === 'checkout';
}
