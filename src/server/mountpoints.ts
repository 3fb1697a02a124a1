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
        try {
          if (!this.#bound.has(name)) await this.#bind(name, await volume.mountPath());
        } catch (err) {
          await this.store.mounts.release(name, id).catch(() => undefined);
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
      if (this.#bound.has(name)) await this.#unbind(name);
    });
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
