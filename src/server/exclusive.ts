// Exclusive volumes (`-o exclusive=true`): a Mount for a second container while another holds the
// volume is refused, naming the holder. The same mount ID mounting again (docker cp, a restart) is the
// same container and passes; holders that no running container accounts for are stale and cleared.

import { DvolError } from '../storage/errors.js';
import type { Store } from '../storage/model.js';
import { KeyedMutex } from '../storage/mutex.js';
import type { Containers, ContainerRef } from './containers.js';
import type { Mountpoints } from './mountpoints.js';

export class ExclusiveMounts {
  /** The check and the mount it admits are one step: two containers racing cannot both pass. */
  readonly #admit = new KeyedMutex();

  constructor(
    private readonly store: Store,
    private readonly mountpoints: Mountpoints,
    private readonly containers: Containers,
  ) {}

  /** Docker's Mount of `name` by mount ID `id`, refused with 'in_use' while another container holds it. */
  mount(name: string, id: string): Promise<string> {
    return this.#admit.run(name, async () => {
      const info = await this.store.getVolume(name);
      if (info?.exclusive === true) await this.#check(name, id);
      return this.mountpoints.mount(name, id);
    });
  }

  async #check(name: string, id: string): Promise<void> {
    const others = Object.keys(this.store.mounts.holders(name)).filter((holder) => holder !== id);
    if (others.length === 0) return;
    let holders: ContainerRef[];
    try {
      // Running and paused containers: the one starting now is neither yet.
      holders = await this.containers.using(name);
    } catch (err) {
      throw new DvolError(
        'in_use',
        `volume '${name}' is exclusive and already mounted, and dvol cannot ask Docker which container holds it`,
        'start Docker, or stop the container using the volume, and try again',
        { cause: err },
      );
    }
    if (holders.length === 0) {
      // Docker's Unmount never came (a killed dockerd, docker/for-linux#404): nothing runs with it.
      console.error(`dvol: volume '${name}': no running container holds it, clearing its stale mount(s)`);
      await this.mountpoints.clearStale(name);
      return;
    }
    const names = holders.map((c) => `'${c.name}'`).join(', ');
    const first = holders[0]?.name ?? '';
    throw new DvolError(
      'in_use',
      `volume '${name}' is exclusive and already mounted by container ${names}`,
      `stop it first ('docker stop ${first}'), or let several containers share the volume with 'dvol exclusive off ${name}'`,
    );
  }
}
