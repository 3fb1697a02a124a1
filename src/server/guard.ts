// Runs an operation on a volume's data with the containers using it stopped (checkout, reset) or
// paused (commit), and no new Mount starting meanwhile.

import { driverCapabilities } from '../storage/drivers/index.js';
import { DvolError, asDvolError } from '../storage/errors.js';
import type { Store } from '../storage/model.js';
import { KeyedMutex } from '../storage/mutex.js';
import type { Containers, ContainerRef } from './containers.js';
import type { Mountpoints } from './mountpoints.js';

/** How long to wait for Docker's Unmount calls after the containers have stopped. */
const UNMOUNT_WAIT_MS = 15_000;
/** The same, for a container the user stopped just before asking (`docker stop x && dvol reset`). */
const RECENT_STOP_WAIT_MS = 2_000;

/**
 * Lock order (docs/design.md, "Locks"): `ops` (whole stop → operate → start sequence, one per volume)
 * → the volume's storage lock (Store.exclusive) → Mountpoints' data lock (only while operating).
 * The data lock, which Mount waits for, is taken only once the storage lock is ours: an operation
 * queued behind a reader (a diff nobody reads) never holds it. Docker calls Unmount while we stop
 * containers and Mount while we start them; neither happens while the data lock is held.
 */
export class VolumeGuard {
  readonly #ops = new KeyedMutex();

  constructor(
    private readonly store: Store,
    private readonly mountpoints: Mountpoints,
    private readonly containers: Containers,
  ) {}

  /** Stops the volume's containers, runs `fn` unmounted, starts exactly those containers again. */
  async stopped<T>(
    name: string,
    doing: string,
    fn: () => Promise<T>,
  ): Promise<{ result: T; restarted: string[] }> {
    this.store.volume(name);
    return this.#ops.run(name, async () => {
      const stopped = await this.containers.stopAll(await this.#users(name, doing), doing);
      const result = await settled(
        doing,
        async () => {
          await this.#waitUnmounted(name, stopped.length > 0 ? UNMOUNT_WAIT_MS : RECENT_STOP_WAIT_MS);
          return this.#operating(name, async () => {
            await this.#refuseMounted(name, doing);
            return fn();
          });
        },
        () => this.containers.settle(stopped, 'start'),
        'start it with docker start',
      );
      return { result, restarted: stopped.map((c) => c.name) };
    });
  }

  /**
   * Pauses the volume's running containers for `fn` and always unpauses them after. Skipped when the
   * volume's driver snapshots atomically (its `atomicSnapshots` capability): a paused database gains
   * nothing there. The storage lock is taken before pausing, so containers are paused only while `fn`
   * runs, not while it waits.
   */
  async paused<T>(name: string, doing: string, fn: () => Promise<T>): Promise<T> {
    const { driver } = await this.store.volume(name).info();
    if (driverCapabilities(driver).atomicSnapshots) return fn();
    return this.#ops.run(name, () =>
      this.store.exclusive(name, async () => {
        const paused = await this.containers.pauseAll(await this.#users(name, doing), doing);
        return settled(
          doing,
          () => this.mountpoints.exclusive(name, fn),
          () => this.containers.settle(paused, 'unpause'),
          'unpause it with docker unpause',
        );
      }),
    );
  }

  /** Runs `fn` holding the volume's storage lock, then (never before) the lock Mount waits for. */
  #operating<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return this.store.exclusive(name, () => this.mountpoints.exclusive(name, fn));
  }

  /**
   * The containers using the volume. Nothing mounted means no container can be using it, so Docker is
   * not asked: an unused volume works without Docker.
   */
  async #users(name: string, doing: string): Promise<ContainerRef[]> {
    if (this.store.mounts.count(name) === 0) return [];
    try {
      return await this.containers.using(name);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new DvolError(
        'in_use',
        `volume '${name}' is mounted and dvol cannot stop the containers using it before ${doing}: ${why}`,
        'start Docker, or stop those containers yourself and try again',
        { cause: err },
      );
    }
  }

  /** Docker unmounts a stopped container's volumes just after `stop` returns: give it a moment. */
  async #waitUnmounted(name: string, ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.store.mounts.count(name) > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /**
   * Clears the volume's mount holders when Docker says no container at all (in any state) references
   * the volume: they are leftovers of a killed dockerd, which never sends those Unmounts
   * (docker/for-linux#404), and would otherwise block reset, checkout and rm forever. Resolves to
   * whether the volume is now unmounted; Docker unreachable counts as "cannot tell".
   */
  async clearIfStale(name: string): Promise<boolean> {
    const count = this.store.mounts.count(name);
    if (count === 0) return true;
    const referencing = await this.containers.using(name, true).catch(() => undefined);
    if (referencing?.length !== 0) return false;
    console.error(`dvol: volume '${name}': no container references it, clearing ${count} stale mount(s)`);
    await this.mountpoints.clearStale(name);
    return true;
  }

  /** Refuses while something that dvol did not stop still holds the volume mounted. */
  async #refuseMounted(name: string, doing: string): Promise<void> {
    if (await this.clearIfStale(name)) return;
    const count = this.store.mounts.count(name);
    throw new DvolError(
      'in_use',
      `volume '${name}' is still mounted (${count} mount${count === 1 ? '' : 's'}) by something dvol did not stop, so ${doing} would not reach it`,
      `stop what uses it (docker ps --filter volume=${name}) and try again`,
    );
  }
}

/**
 * Runs `fn`, then always `restore` (start or unpause containers). Containers left down are reported;
 * if `fn` failed too, its error keeps its code (a 'dirty' stays a 'dirty') and gains the report.
 */
async function settled<T>(
  doing: string,
  fn: () => Promise<T>,
  restore: () => Promise<string[]>,
  hint: string,
): Promise<T> {
  let result: T;
  try {
    result = await fn();
  } catch (err) {
    const failures = await restore();
    if (failures.length === 0) throw err;
    const e = asDvolError(err, doing);
    throw new DvolError(e.code, `${e.message}; also ${failures.join('; ')}`, hint, { cause: err });
  }
  const failures = await restore();
  if (failures.length > 0)
    throw new DvolError('internal', `${doing} finished, but ${failures.join('; ')}`, hint);
  return result;
}
