// Docker's Mount and Unmount: per-ID counts in the store's mount table, one bind mount per volume.

import { mkdir, realpath, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Store } from '../storage/model.js';
import { KeyedMutex } from '../storage/mutex.js';
import { bindMount, mountedUnder, unmount } from './bind.js';

/**
 * The bind mounts under the mounts root (the plugin's propagatedMount). A volume is bound at
 * `<root>/<name>` from its first mount to its last unmount.
 *
 * Locking (docs/design.md, "Locks"): `mount` and `exclusive` share a per-volume lock, so a Mount waits
 * for a running reset, checkout or rm and then binds the new data (or finds the volume gone). Callers
 * of `exclusive` already hold the volume's storage lock, so the lock is only ever held by an operation
 * that is running, never by one queued behind a reader. `unmount` never takes that lock: stopping a
 * container makes Docker call Unmount while the operation that stopped it is waiting.
 */
export class Mountpoints {
  readonly #bound = new Set<string>();
  readonly #data = new KeyedMutex();
  readonly #binds = new KeyedMutex();
  /**
   * Per volume, per holder: its Mounts less its Unmounts in this process. The rest of a holder's
   * count was persisted by a predecessor, whose Unmounts may have been lost (clearLost).
   */
  readonly #here = new Map<string, Map<string, number>>();

  private constructor(
    private readonly store: Store,
    /** Canonical path of the mounts root. */
    readonly root: string,
  ) {}

  /** Creates the root and reconciles what is mounted under it with the persisted mount table. */
  static async open(store: Store, root: string): Promise<Mountpoints> {
    await mkdir(root, { recursive: true });
    const mountpoints = new Mountpoints(store, await realpath(root));
    await mountpoints.reconcile();
    return mountpoints;
  }

  /** Where a volume is (or would be) mounted. */
  path(name: string): string {
    return join(this.root, name);
  }

  /** Whether the volume is bind-mounted now. */
  isMounted(name: string): boolean {
    return this.#bound.has(name);
  }

  /**
   * Adds one mount by `id`; the first one binds the active branch's data. Resolves to the mount point.
   * The count is persisted before the bind and taken back if the bind fails: Docker sends no Unmount
   * for a failed Mount, so a failure leaves nothing counted or bound.
   */
  async mount(name: string, id: string): Promise<string> {
    return this.#data.run(name, () =>
      this.#binds.run(name, async () => {
        const volume = this.store.volume(name);
        await this.store.mounts.acquire(name, id);
        this.#count(name, id, 1);
        try {
          if (!this.#bound.has(name)) await this.#bind(name, await volume.mountPath());
        } catch (err) {
          await this.store.mounts.release(name, id).catch(() => undefined);
          this.#count(name, id, -1);
          throw err;
        }
        return this.path(name);
      }),
    );
  }

  /**
   * Removes one mount by `id` (unknown: no-op); the last one unbinds. Never waits for an operation.
   * The unbind happens even when the mount table cannot be written (a full disk): the container is
   * gone either way, and the next write of the table records it.
   */
  async unmount(name: string, id: string): Promise<void> {
    await this.#binds.run(name, async () => {
      const recorded = await this.store.mounts.release(name, id).then(
        () => undefined,
        (err: unknown) => err,
      );
      this.#count(name, id, -1);
      if (this.store.mounts.count(name) === 0 && this.#bound.has(name)) await this.#unbind(name);
      if (recorded !== undefined) {
        const why = recorded instanceof Error ? recorded.message : String(recorded);
        console.error(`dvol: unmounted volume '${name}' but could not record it: ${why}`);
      }
    });
  }

  /**
   * Forgets every holder of the volume and unbinds it. Only for holders known to be stale: a dockerd
   * that was killed never sends the Unmount of the containers it lost (docker/for-linux#404).
   */
  async clearStale(name: string): Promise<void> {
    await this.#binds.run(name, async () => {
      for (const [holder, count] of Object.entries(this.store.mounts.holders(name))) {
        for (let i = 0; i < count; i++) await this.store.mounts.release(name, holder);
      }
      this.#here.delete(name);
      if (this.#bound.has(name)) await this.#unbind(name);
    });
  }

  /** How many of the volume's mounts were made by this process (and not unmounted since). */
  mountedHere(name: string): number {
    let sum = 0;
    for (const n of this.#here.get(name)?.values() ?? []) sum += n;
    return sum;
  }

  /**
   * Forgets the mounts this process did not make: those a predecessor counted and whose Unmount went
   * to it while it was dead. Docker mounts again with the ID whose Unmount failed, so a holder can be
   * part lost, part ours. Only for a volume whose running containers are all among this process's
   * mounts (the caller asked Docker): with live-restore, containers that outlived a restart hold
   * mounts this process never saw, and those are kept. Resolves to the number of mounts forgotten.
   */
  async clearLost(name: string): Promise<number> {
    return this.#binds.run(name, async () => {
      const before = this.store.mounts.count(name);
      for (const [holder, count] of Object.entries(this.store.mounts.holders(name))) {
        const lost = count - (this.#here.get(name)?.get(holder) ?? 0);
        for (let i = 0; i < lost; i++) await this.store.mounts.release(name, holder);
      }
      if (this.store.mounts.count(name) === 0 && this.#bound.has(name)) await this.#unbind(name);
      return before - this.store.mounts.count(name);
    });
  }

  /** Adds `delta` to the holder's mounts made here, never below zero. */
  #count(name: string, holder: string, delta: number): void {
    let here = this.#here.get(name);
    if (here === undefined) this.#here.set(name, (here = new Map()));
    const n = (here.get(holder) ?? 0) + delta;
    if (n > 0) here.set(holder, n);
    else here.delete(holder);
    if (here.size === 0) this.#here.delete(name);
  }

  /**
   * Runs `fn` while no Mount of the volume can start. The caller holds the volume's storage lock
   * (Store.exclusive) first: that is the lock order.
   */
  exclusive<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return this.#data.run(name, fn);
  }

  /** Removes a deleted volume's empty mount point directory. */
  async forget(name: string): Promise<void> {
    await rmdir(this.path(name)).catch(() => undefined);
  }

  /**
   * After a plugin restart, binds may have survived (process restarted by dockerd) or be gone
   * (`docker plugin disable -f`). Unbind what no holder needs; rebind what holders still count on.
   */
  async reconcile(): Promise<void> {
    const present = await mountedUnder(this.root);
    const volumes = new Set((await this.store.listVolumes()).map((v) => v.name));
    for (const name of present) {
      if (volumes.has(name) && this.store.mounts.count(name) > 0) this.#bound.add(name);
      else await tolerate(`unmounting stale ${this.path(name)}`, () => unmount(this.path(name)));
    }
    for (const name of volumes) {
      if (this.store.mounts.count(name) > 0 && !present.has(name)) {
        // One broken volume must not keep the server (and so every other volume) from starting.
        await tolerate(`mounting volume '${name}' again`, async () =>
          this.#bind(name, await this.store.volume(name).mountPath()),
        );
      }
    }
  }

  async #bind(name: string, source: string): Promise<void> {
    await bindMount(source, this.path(name));
    this.#bound.add(name);
  }

  async #unbind(name: string): Promise<void> {
    await unmount(this.path(name));
    this.#bound.delete(name);
  }
}

/** Runs a start-up repair step; a failure is logged, not thrown (the next Mount retries it). */
async function tolerate(doing: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    console.error(`dvol: ${doing} failed:`, err instanceof Error ? err.message : err);
  }
}
