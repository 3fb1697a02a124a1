// The Redis mirrors the plugin runs: added and removed through the /dvol API, persisted in the state
// directory, resumed when the plugin starts. Each follows its volume's shared watch; a reset or a
// checkout (the watch restarted on the new data) makes it sync in full, so Redis matches what
// containers see.

import { randomBytes } from 'node:crypto';
import type { MirrorInfo } from '../api/mirror.js';
import { DvolError } from '../storage/errors.js';
import {
  mirrorsFilePath,
  readMirrors,
  writeMirrors,
  type MirrorSpec,
} from '../storage/mirror/mirrors-file.js';
import { RedisMirror, type MirrorOptions } from '../storage/mirror/redis-mirror.js';
import { parseRedisTarget } from '../storage/mirror/target.js';
import type { Store } from '../storage/model.js';
import type { VolumeWatches } from './watches.js';

interface Running {
  spec: MirrorSpec;
  mirror: RedisMirror;
  /** Why the watch is not running (the volume is gone, the inotify limit), when it is not. */
  watchError?: string;
  unwatch?: () => Promise<void>;
}

export class Mirrors {
  readonly #running = new Map<string, Running>();
  readonly #file: string;
  /** add and rm rewrite the file one at a time. */
  #writes: Promise<unknown> = Promise.resolve();

  private constructor(
    stateDir: string,
    private readonly store: Store,
    private readonly watches: VolumeWatches,
    private readonly options: MirrorOptions,
  ) {
    this.#file = mirrorsFilePath(stateDir);
  }

  /** Loads the persisted mirrors and starts them in the background (a Redis that is down is retried). */
  static async open(
    stateDir: string,
    store: Store,
    watches: VolumeWatches,
    options: MirrorOptions = {},
  ): Promise<Mirrors> {
    const mirrors = new Mirrors(stateDir, store, watches, {
      log: (m) => console.error(`dvol: ${m}`),
      ...options,
    });
    for (const spec of await readMirrors(mirrors.#file)) void mirrors.#start(spec);
    return mirrors;
  }

  /** Adds a mirror of `volume` and makes its first full sync (or its first try). */
  async add(volume: string, url: string, prefix = ''): Promise<MirrorInfo> {
    const target = parseRedisTarget(url, prefix);
    await this.store.volume(volume).info();
    const spec: MirrorSpec = { id: randomBytes(4).toString('hex'), volume, url, prefix };
    await this.#persist(() => {
      for (const { spec: s } of this.#running.values()) {
        if (
          s.volume === volume &&
          parseRedisTarget(s.url, s.prefix).display === target.display &&
          s.prefix === prefix
        )
          throw new DvolError(
            'exists',
            `volume '${volume}' is already mirrored to ${target.display} with prefix '${prefix}' (mirror ${s.id})`,
            `remove it first with 'dvol mirror rm ${s.id}'`,
          );
      }
      return [...this.#specs(), spec];
    });
    return this.#info(await this.#start(spec));
  }

  list(): MirrorInfo[] {
    return [...this.#running.values()].map((r) => this.#info(r));
  }

  /** Stops the mirror and forgets it; its keys stay in Redis. */
  async remove(id: string): Promise<MirrorInfo> {
    const running = this.#running.get(id);
    if (running === undefined) {
      throw new DvolError(
        'not_found',
        `there is no mirror '${id.slice(0, 64)}'`,
        "list them with 'dvol mirror list'",
      );
    }
    await this.#persist(() => this.#specs().filter((s) => s.id !== id));
    this.#running.delete(id);
    await this.#stop(running);
    return { ...this.#info(running), state: 'stopped' };
  }

  /** Stops and forgets the mirrors of a removed volume (`dvol rm`, `docker volume rm`). */
  async removeVolume(volume: string): Promise<void> {
    const gone = [...this.#running.values()].filter((r) => r.spec.volume === volume);
    if (gone.length === 0) return;
    await this.#persist(() => this.#specs().filter((s) => s.volume !== volume));
    for (const r of gone) this.#running.delete(r.spec.id);
    await Promise.all(gone.map((r) => this.#stop(r)));
  }

  /** Stops every mirror (they resume at the next start). */
  async close(): Promise<void> {
    const all = [...this.#running.values()];
    this.#running.clear();
    await Promise.all(all.map((r) => this.#stop(r)));
  }

  #specs(): MirrorSpec[] {
    return [...this.#running.values()].map((r) => r.spec);
  }

  async #persist(next: () => MirrorSpec[]): Promise<void> {
    const write = this.#writes.then(() => writeMirrors(this.#file, next()));
    this.#writes = write.catch(() => undefined);
    await write;
  }

  /** Watches first, then syncs: what changes during the first sync is applied after it. */
  async #start(spec: MirrorSpec): Promise<Running> {
    const mirror = new RedisMirror('', parseRedisTarget(spec.url, spec.prefix), this.options);
    const running: Running = { spec, mirror };
    this.#running.set(spec.id, running);
    try {
      const root = await this.store.volume(spec.volume).dataPath();
      mirror.setRoot(root);
      running.unwatch = await this.watches.subscribe(spec.volume, {
        events: (events) => void mirror.apply(events),
        replaced: () => {
          void this.store
            .volume(spec.volume)
            .dataPath()
            .then((path) => mirror.setRoot(path))
            .then(() => mirror.resync());
        },
        failed: (err) => {
          running.watchError = err.message;
        },
      });
    } catch (err) {
      running.watchError = err instanceof Error ? err.message : String(err);
      return running;
    }
    await mirror.start();
    return running;
  }

  async #stop(running: Running): Promise<void> {
    await running.unwatch?.();
    await running.mirror.close();
  }

  #info({ spec, mirror, watchError }: Running): MirrorInfo {
    const status = mirror.status();
    const failed = watchError === undefined ? {} : { state: 'stopped' as const, lastError: watchError };
    return { id: spec.id, volume: spec.volume, ...status, ...failed };
  }
}
