// One watch of a volume's data shared by everything that follows it (event streams, mirrors): started
// by the first subscriber, stopped after the last, restarted on the new data after a reset or checkout
// (a driver may swap the directory, which an inotify watch would not follow).

import type { FileEvent } from '../api/events.js';
import { DvolError } from '../storage/errors.js';
import type { Store } from '../storage/model.js';
import { watchData, type DataWatch } from '../storage/watch/watcher.js';
import { replacesData, type EventBus } from './events.js';

/** What a subscriber is told: settled file events, a restart on new data, a failed watch. */
export interface WatchSubscriber {
  events?(events: FileEvent[]): void | Promise<void>;
  /** The watch is in place on data that replaced the old (reset, checkout): re-read everything. */
  replaced?(): void;
  /** The watch stopped (the inotify limit, the volume removed). */
  failed?(err: DvolError): void;
}

interface Entry {
  subscribers: Set<WatchSubscriber>;
  /** Starts, restarts and stops run one after the other. */
  chain: Promise<unknown>;
  watch?: DataWatch;
  offBus: () => void;
}

export class VolumeWatches {
  readonly #entries = new Map<string, Entry>();

  constructor(
    private readonly store: Store,
    private readonly bus: EventBus,
  ) {}

  /** Resolves once the volume's data is watched (every change after that is reported); to unsubscribe. */
  async subscribe(volume: string, subscriber: WatchSubscriber): Promise<() => Promise<void>> {
    let entry = this.#entries.get(volume);
    if (entry === undefined) {
      const created: Entry = { subscribers: new Set(), chain: Promise.resolve(), offBus: () => undefined };
      created.offBus = this.bus.on(volume, (event) => {
        if (replacesData(event)) void this.#step(created, () => this.#restart(volume, created, true));
      });
      this.#entries.set(volume, (entry = created));
    }
    const e = entry;
    e.subscribers.add(subscriber);
    try {
      await this.#step(e, async () => {
        if (e.watch === undefined) await this.#restart(volume, e, false);
      });
    } catch (err) {
      await this.#leave(volume, e, subscriber);
      throw err;
    }
    return () => this.#leave(volume, e, subscriber);
  }

  /** Stops every watch. */
  async close(): Promise<void> {
    for (const [volume, entry] of [...this.#entries]) {
      for (const s of [...entry.subscribers]) await this.#leave(volume, entry, s);
    }
  }

  #step<T>(entry: Entry, fn: () => Promise<T>): Promise<T> {
    const run = entry.chain.then(fn);
    entry.chain = run.catch(() => undefined);
    return run;
  }

  async #leave(volume: string, entry: Entry, subscriber: WatchSubscriber): Promise<void> {
    entry.subscribers.delete(subscriber);
    if (entry.subscribers.size > 0) return;
    if (this.#entries.get(volume) === entry) this.#entries.delete(volume);
    entry.offBus();
    await this.#step(entry, async () => {
      await entry.watch?.close();
      entry.watch = undefined;
    });
  }

  /** (Re)starts the watch on the volume's data as it is now. */
  async #restart(volume: string, entry: Entry, replaced: boolean): Promise<void> {
    if (entry.subscribers.size === 0) return;
    await entry.watch?.close();
    entry.watch = undefined;
    const fail = (err: DvolError) => {
      for (const s of [...entry.subscribers]) s.failed?.(err);
    };
    try {
      const root = await this.store.volume(volume).dataPath();
      entry.watch = await watchData(
        root,
        async (events) => {
          for (const event of events) this.bus.emit(volume, event);
          for (const s of [...entry.subscribers]) await s.events?.(events);
        },
        { onError: fail },
      );
    } catch (err) {
      const e = err instanceof DvolError ? err : new DvolError('internal', `cannot watch volume '${volume}'`);
      if (!replaced) throw e;
      fail(e);
      return;
    }
    if (replaced) for (const s of [...entry.subscribers]) s.replaced?.();
  }
}
