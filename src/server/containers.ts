// The containers that use a volume, through the Docker Engine API: find, stop, start, pause, unpause.

import type Docker from 'dockerode';
import { DvolError } from '../storage/errors.js';

/** A running (or paused) container that has a dvol volume mounted. */
export interface ContainerRef {
  id: string;
  /** Without Docker's leading '/'. */
  name: string;
  /** Docker's State: 'running' or 'paused'. */
  state: string;
}

type Action = 'stop' | 'start' | 'pause' | 'unpause';

/** The Docker side of checkout, reset and commit. */
export class Containers {
  #docker: Promise<Docker> | undefined;

  constructor(
    /** The Engine API socket. */
    readonly socketPath: string,
    /** Our volume driver's name; managed plugins add a tag (`dvol:latest`) or a registry path. */
    private readonly driverName = 'dvol',
  ) {}

  /** The client, loaded on first use: dockerode takes half a second to load, the plugin must listen fast. */
  private docker(): Promise<Docker> {
    this.#docker ??= import('dockerode').then(
      ({ default: Dockerode }) => new Dockerode({ socketPath: this.socketPath }),
    );
    return this.#docker;
  }

  /**
   * Starts loading the client in the background. Its load blocks the event loop for a moment (longer
   * on a busy host): better once at start-up than in the middle of an operation, when Docker is waiting.
   */
  warm(): void {
    this.docker().catch(() => undefined);
  }

  /** Running and paused containers (with `all`: containers in any state) using each dvol volume. */
  async byVolume(all = false): Promise<Map<string, ContainerRef[]>> {
    const result = new Map<string, ContainerRef[]>();
    const docker = await this.docker();
    const list = await this.call('listing containers', () => docker.listContainers({ all }));
    for (const c of list) {
      for (const m of c.Mounts) {
        if (m.Type !== 'volume' || m.Name === undefined || !this.isOurs(m.Driver)) continue;
        const ref = { id: c.Id, name: (c.Names[0] ?? c.Id).replace(/^\//, ''), state: c.State };
        result.set(m.Name, [...(result.get(m.Name) ?? []), ref]);
      }
    }
    return result;
  }

  /** Running and paused containers using the volume (with `all`: containers in any state). */
  async using(volume: string, all = false): Promise<ContainerRef[]> {
    return (await this.byVolume(all)).get(volume) ?? [];
  }

  /**
   * Stops the containers, in order. If one fails, starts again those already stopped and throws
   * 'in_use' naming it. Resolves to the ones this call stopped (a container that exited on its own
   * meanwhile is not among them, so it is not started again).
   */
  async stopAll(refs: ContainerRef[], doing: string): Promise<ContainerRef[]> {
    const stopped: ContainerRef[] = [];
    for (const ref of refs) {
      try {
        if (await this.act(ref, 'stop')) stopped.push(ref);
      } catch (err) {
        const failures = await this.settle(stopped, 'start');
        throw new DvolError(
          'in_use',
          `could not stop container '${ref.name}' before ${doing}: ${detail(err)}; nothing was changed` +
            (failures.length > 0 ? `, and ${failures.join(', ')}` : ''),
          `stop it with 'docker stop ${ref.name}' and try again`,
          { cause: err },
        );
      }
    }
    return stopped;
  }

  /** Pauses the running ones (not those already paused); same failure handling as stopAll. */
  async pauseAll(refs: ContainerRef[], doing: string): Promise<ContainerRef[]> {
    const paused: ContainerRef[] = [];
    for (const ref of refs.filter((r) => r.state === 'running')) {
      try {
        if (await this.act(ref, 'pause')) paused.push(ref);
      } catch (err) {
        await this.settle(paused, 'unpause');
        throw new DvolError(
          'in_use',
          `could not pause container '${ref.name}' before ${doing}: ${detail(err)}`,
          `stop it with 'docker stop ${ref.name}' and try again`,
          { cause: err },
        );
      }
    }
    return paused;
  }

  /** Runs `action` on every container, never stopping at a failure; resolves to one line per failure. */
  async settle(refs: ContainerRef[], action: 'start' | 'unpause'): Promise<string[]> {
    const failures: string[] = [];
    for (const ref of refs) {
      await this.act(ref, action).catch((err: unknown) => {
        const done = action === 'start' ? 'started again' : 'unpaused';
        failures.push(`container '${ref.name}' could not be ${done}: ${detail(err)}`);
      });
    }
    return failures;
  }

  /** Resolves to false when the container was already in the wanted state or is gone. */
  private async act(ref: ContainerRef, action: Action): Promise<boolean> {
    const container = (await this.docker()).getContainer(ref.id);
    try {
      const run: Record<Action, () => Promise<unknown>> = {
        stop: () => container.stop(),
        start: () => container.start(),
        pause: () => container.pause(),
        unpause: () => container.unpause(),
      };
      await this.call(`${action} of container '${ref.name}'`, run[action]);
      return true;
    } catch (err) {
      const status = ((err as DvolError).cause as { statusCode?: number } | undefined)?.statusCode;
      if (status === 304 || (status === 404 && action === 'stop')) return false;
      throw err;
    }
  }

  private isOurs(driver: string | undefined): boolean {
    // 'dvol', 'dvol:latest', '127.0.0.1:5000/org/dvol:1.0' all name this plugin.
    const last = (driver ?? '').split('/').pop() ?? '';
    return last.replace(/:[^:]*$/, '') === this.driverName;
  }

  private async call<T>(doing: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'EACCES') {
        throw new DvolError(
          'unsupported',
          `cannot reach Docker at ${this.socketPath} (${code})`,
          'start Docker, or set DOCKER_SOCKET',
          { cause: err },
        );
      }
      throw new DvolError('internal', `${doing} failed: ${detail(err)}`, undefined, { cause: err });
    }
  }
}

/** Docker's own message when there is one, rather than dockerode's wrapper text. */
function detail(err: unknown): string {
  const e = err instanceof DvolError && err.cause ? err.cause : err;
  const json = (e as { json?: { message?: string } }).json;
  return json?.message ?? (e instanceof Error ? e.message : String(e));
}
