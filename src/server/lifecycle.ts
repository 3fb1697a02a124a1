// Creating and removing a volume, shared by Docker's Create/Remove and the /dvol API.

import { DvolError } from '../storage/errors.js';
import type { VolumeInfo } from '../storage/model.js';
import { parseCreateOptions } from '../storage/options.js';
import type { Deps } from './deps.js';

/**
 * Creates a volume from Docker-style options (`driver` plus the driver's own options). A Mount of the
 * name that arrives meanwhile waits for the create to finish.
 */
export async function createVolume(
  deps: Deps,
  name: string,
  opts: Record<string, string>,
): Promise<VolumeInfo> {
  const { store, mountpoints } = deps;
  return mountpoints.creating(name, async () => store.createVolume(name, parseCreateOptions(name, opts)));
}

/**
 * Deletes a volume and its history, its mount point and its active mark. Refused while mounted, unless
 * the mounts are stale (no container references the volume any more). The check and the removal hold
 * the volume's storage lock and then the lock Mount takes, so a Mount and a Remove racing each other
 * cannot both succeed.
 */
export async function removeVolume(deps: Deps, name: string): Promise<void> {
  const { store, guard, mountpoints, active } = deps;
  await store.volume(name).info();
  await guard.clearIfStale(name);
  await store.exclusive(name, () =>
    mountpoints.exclusive(name, async () => {
      // Counted or not, a bind that is still there is a container's view of the data.
      if (store.mounts.count(name) === 0 && mountpoints.isMounted(name)) {
        throw new DvolError(
          'in_use',
          `volume '${name}' is still bind-mounted at ${mountpoints.path(name)}, so it cannot be removed`,
          `unmount it (umount ${mountpoints.path(name)}) or restart the plugin, then try again`,
        );
      }
      await store.removeVolume(name);
      await mountpoints.forget(name);
    }),
  );
  await active.forget(name);
}
