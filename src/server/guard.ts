// Runs an operation on a volume's data with the containers using it stopped (checkout, reset) or
// paused (commit), and no new Mount starting meanwhile.

import { driverCapabilities } from '../storage/drivers/index.js';
import { DvolError, asDvolError } from '../storage/errors.js';
import type { Store } from '../storage/model.js';
import { KeyedMutex } from '../storage/mutex.js';
import type { Containers, ContainerRef } from './containers.js';
import type { HeldContainers, HeldRecord } from './held.js';
import type { Mountpoints } from './mountpoints.js';

/** How long to wait for Docker's Unmount calls after the containers have stopped. */
const UNMOUNT_WAIT_MS = 15_000;
/** The same, for a container the user stopped just before asking (`docker stop x && dvol reset`). */
const RECENT_STOP_WAIT_MS = 2_000;
/** How often, while waiting for Unmounts, Docker is asked whether the volume's holders are lost. */
const LOST_CHECK_MS = 1_000;
/** How long a restarted plugin keeps trying to reach Docker to restore what a predecessor left. */
const RESUME_TRIES = 15;
const RESUME_RETRY_MS = 2_000;

/**
 * Lock order (docs/design.md, "Locks"): `ops` (whole stop → operate → start sequence, one per volume)
 * → the volume's storage lock (Store.exclusive) → Mountpoints' data lock (only while operating).
 * The data lock, which Mount waits for, is taken only once the storage lock is ours: an operation
 * queued behind a reader (a diff nobody reads) never holds it. Docker calls Unmount while we stop
 * containers and Mount while we start them; neither happens while the data lock is held.
 *
 * Before pausing or stopping containers, the guard records them in the state directory (held.ts)
 * and forgets them once they run again: a plugin killed in between leaves the record, and the next
 * one (`resume`) unpauses or starts them.
 */
export class VolumeGuard {
  readonly #ops = new KeyedMutex();

  constructor(
    private readonly store: Store,
    private readonly mountpoints: Mountpoints,
    private readonly containers: Containers,
    private readonly held: HeldContainers,
  ) {}

  /** Stops the volume's containers, runs `fn` unmounted, starts exactly those containers again. */
  async stopped<T>(
    name: string,
    doing: string,
    fn: () => Promise<T>,
  ): Promise<{ result: T; restarted: string[] }> {
    this.store.volume(name);
    return this.#ops.run(name, async () => {
      const users = await this.#users(name, doing);
      const stopped = await this.#holding(name, 'stop', doing, users, () =>
        this.containers.stopAll(users, doing),
      );
      const result = await settled(
        doing,
        async () => {
          await this.#waitUnmounted(name, stopped.length > 0 ? UNMOUNT_WAIT_MS : RECENT_STOP_WAIT_MS);
          return this.#operating(name, async () => {
            await this.#refuseMounted(name, doing);
            return fn();
          });
        },
        () => this.#restore(name, stopped, 'start'),
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
        const running = (await this.#users(name, doing)).filter((c) => c.state === 'running');
        const paused = await this.#holding(name, 'pause', doing, running, () =>
          this.containers.pauseAll(running, doing),
        );
        return settled(
          doing,
          () => this.mountpoints.exclusive(name, fn),
          () => this.#restore(name, paused, 'unpause'),
          'unpause it with docker unpause',
        );
      }),
    );
  }

  /**
   * Records `refs` as held, then runs `act` (the pause or stop); a failed `act` has restored them
   * itself, so the record goes. No containers, no record: an unused volume needs no write.
   */
  async #holding(
    name: string,
    action: HeldRecord['action'],
    doing: string,
    refs: ContainerRef[],
    act: () => Promise<ContainerRef[]>,
  ): Promise<ContainerRef[]> {
    if (refs.length === 0) return [];
    await this.held.record(name, action, doing, refs);
    try {
      return await act();
    } catch (err) {
      await this.#forgetHeld(name);
      throw err;
    }
  }

  /** Starts or unpauses `refs` again and drops the record; resolves to one line per failure. */
  async #restore(name: string, refs: ContainerRef[], action: 'start' | 'unpause'): Promise<string[]> {
    const failures = await this.containers.settle(refs, action);
    await this.#forgetHeld(name);
    return failures;
  }

  /** Drops the volume's record; one that cannot be removed is only logged (a restart would redo it). */
  async #forgetHeld(name: string): Promise<void> {
    await this.held.clear(name).catch((err: unknown) => {
      console.error(`dvol: volume '${name}': could not remove the record of held containers:`, err);
    });
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

  /**
   * Docker unmounts a stopped container's volumes just after `stop` returns: give it a moment. Every
   * second meanwhile, mounts whose Unmount a killed predecessor lost are cleared (#clearLost), so a
   * drifted count does not make the operation wait its whole time and refuse.
   */
  async #waitUnmounted(name: string, ms: number): Promise<void> {
    const start = Date.now();
    let checks = 0;
    while (this.store.mounts.count(name) > 0 && Date.now() < start + ms) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      if (Date.now() - start < (checks + 1) * LOST_CHECK_MS) continue;
      checks++;
      await this.#clearLost(name);
    }
  }

  /**
   * Forgets the volume's mounts whose Unmount reached a dead predecessor (Mountpoints.clearLost),
   * when Docker's running containers on it are no more than the mounts this process made. `running`:
   * Docker's listing, when the caller has one. Docker unreachable: nothing is cleared.
   */
  async #clearLost(name: string, running?: Map<string, ContainerRef[]>): Promise<void> {
    const users = running
      ? (running.get(name) ?? [])
      : await this.containers.using(name).catch(() => undefined);
    if (users === undefined || users.length > this.mountpoints.mountedHere(name)) return;
    const cleared = await this.mountpoints.clearLost(name);
    if (cleared > 0) {
      console.error(
        `dvol: volume '${name}': clearing ${cleared} mount(s) whose Unmount reached no plugin (${users.length} container(s) run on it)`,
      );
    }
  }

  /** Once after a restart: clears the lost mounts of every mounted volume (see #clearLost). */
  async #reconcile(): Promise<void> {
    const mounted = (await this.store.listVolumes()).filter((v) => this.store.mounts.count(v.name) > 0);
    if (mounted.length === 0) return;
    const running = await this.containers.byVolume();
    for (const { name } of mounted) await this.#clearLost(name, running);
  }

  /**
   * After a restart: unpauses or starts again the containers a killed predecessor left paused or
   * stopped (the records in `held`), and clears the mounts it lost the Unmounts of. Each volume holds
   * its `ops` lock from the first call (made before the server answers any request) until it is
   * done, so no operation on it starts in between. Docker unreachable (dockerd is starting too): it
   * tries for half a minute, then leaves the record for the next start. Never rejects.
   */
  async resume(records: HeldRecord[]): Promise<void> {
    await Promise.all(
      records.map((record) =>
        this.#ops.run(record.volume, () =>
          retried(`restore the containers of volume '${record.volume}'`, () => this.#resumeOne(record)),
        ),
      ),
    );
    await retried('compare the mount counts with the running containers', () => this.#reconcile());
  }

  async #resumeOne(record: HeldRecord): Promise<void> {
    const { volume, action, doing } = record;
    const now = new Map((await this.containers.using(volume, true)).map((c) => [c.id, c]));
    const present: ContainerRef[] = [];
    for (const { id, name } of record.containers) {
      const found = now.get(id);
      if (found === undefined) console.error(`dvol: container '${name}' is gone; it is not restored`);
      else if (action === 'stop' || found.state === 'paused') present.push(found);
    }
    if (present.length > 0) {
      const names = present.map((c) => `'${c.name}'`).join(', ');
      console.error(
        `dvol: a killed predecessor left container(s) ${names} ${action === 'pause' ? 'paused' : 'stopped'} ` +
          `for the ${doing}: ${action === 'pause' ? 'unpausing' : 'starting'} them again`,
      );
    }
    if (action === 'stop') {
      // One the dead process asked to stop may still be stopping, listed as running (Docker's exit
      // handling retries the Unmount that reaches no plugin): finish its stop before starting it.
      await this.containers.stopAll(present, `restoring volume '${volume}'`);
      // Stopped by the dead process, so their Unmounts reached nobody: clear those before the starts
      // mount again.
      await this.#clearLost(volume);
    }
    const failures = await this.containers.settle(present, action === 'pause' ? 'unpause' : 'start');
    for (const failure of failures) console.error(`dvol: volume '${volume}': ${failure}`);
    await this.held.clear(volume);
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

/** Runs `fn` until it resolves, RESUME_TRIES times at most; the last failure is logged, not thrown. */
async function retried(what: string, fn: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= RESUME_TRIES) {
        console.error(`dvol: could not ${what}: ${err instanceof Error ? err.message : String(err)}`);
        return;
      }
      // Unref'd: a server that is stopping does not wait for Docker.
      await new Promise((resolve) => setTimeout(resolve, RESUME_RETRY_MS).unref());
    }
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
