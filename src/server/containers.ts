// The containers that use a volume, through the Docker Engine API: find, stop, start, pause, unpause.

import { DvolError } from '../storage/errors.js';
import { EngineError, engineCall, type ListedContainer } from './engine.js';

/** A running (or paused) container that has a dvol volume mounted. */
export interface ContainerRef {
  id: string;
  /** Without Docker's leading '/'. */
  name: string;
  /** Docker's State: 'running' or 'paused'. */
  state: string;
}

type Action = 'stop' | 'start' | 'pause' | 'unpause';

/**
 * The Docker side of checkout, reset and commit. Each action runs on all the containers at once: a
 * stop lasts as long as the slowest container takes to shut down, not as long as all of them together.
 */
export class Containers {
  constructor(
    /** The Engine API socket. */
    readonly socketPath: string,
    /** Our volume driver's name; managed plugins add a tag (`dvol:latest`) or a registry path. */
    private readonly driverName = 'dvol',
  ) {}

  /** Running and paused containers (with `all`: containers in any state) using each dvol volume. */
  async byVolume(all = false): Promise<Map<string, ContainerRef[]>> {
    const result = new Map<string, ContainerRef[]>();
    const { body } = await this.call('listing containers', 'GET', `/containers/json?all=${all ? 1 : 0}`);
    for (const c of body as ListedContainer[]) {
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
   * Stops the containers. If one fails, starts again those stopped and throws 'in_use' naming it.
   * Resolves to the ones this call stopped (a container that exited on its own meanwhile is not among
   * them, so it is not started again).
   */
  async stopAll(refs: ContainerRef[], doing: string): Promise<ContainerRef[]> {
    const { done, failed } = await this.actAll(refs, 'stop');
    if (failed === undefined) return done;
    const failures = await this.settle(done, 'start');
    throw new DvolError(
      'in_use',
      `could not stop container '${failed.ref.name}' before ${doing}: ${detail(failed.err)}; nothing was changed` +
        (failures.length > 0 ? `, and ${failures.join(', ')}` : ''),
      `stop it with 'docker stop ${failed.ref.name}' and try again`,
      { cause: failed.err },
    );
  }

  /** Pauses the running ones (not those already paused); same failure handling as stopAll. */
  async pauseAll(refs: ContainerRef[], doing: string): Promise<ContainerRef[]> {
    const { done, failed } = await this.actAll(
      refs.filter((r) => r.state === 'running'),
      'pause',
    );
    if (failed === undefined) return done;
    await this.settle(done, 'unpause');
    throw new DvolError(
      'in_use',
      `could not pause container '${failed.ref.name}' before ${doing}: ${detail(failed.err)}`,
      `stop it with 'docker stop ${failed.ref.name}' and try again`,
      { cause: failed.err },
    );
  }

  /** Runs `action` on every container, never stopping at a failure; resolves to one line per failure. */
  async settle(refs: ContainerRef[], action: 'start' | 'unpause'): Promise<string[]> {
    const outcomes = await Promise.allSettled(refs.map((ref) => this.act(ref, action)));
    const failures: string[] = [];
    for (const [i, outcome] of outcomes.entries()) {
      if (outcome.status === 'fulfilled') continue;
      const done = action === 'start' ? 'started again' : 'unpaused';
      failures.push(`container '${refs[i]?.name}' could not be ${done}: ${detail(outcome.reason)}`);
    }
    return failures;
  }

  /** `action` on every container at once: the ones it changed, in order, and the first failure. */
  private async actAll(
    refs: ContainerRef[],
    action: Action,
  ): Promise<{ done: ContainerRef[]; failed?: { ref: ContainerRef; err: unknown } }> {
    const outcomes = await Promise.allSettled(refs.map((ref) => this.act(ref, action)));
    const done = refs.filter((_, i) => {
      const outcome = outcomes[i];
      return outcome?.status === 'fulfilled' && outcome.value;
    });
    const at = outcomes.findIndex((o) => o.status === 'rejected');
    const rejected = outcomes[at];
    const ref = refs[at];
    if (rejected?.status !== 'rejected' || ref === undefined) return { done };
    return { done, failed: { ref, err: rejected.reason } };
  }

  /**
   * Resolves to false when the container was already in the wanted state or is gone. A refused
   * unpause of a container that is no longer paused (someone stopped or unpaused it meanwhile: Docker
   * answers 409 or, before 23.0, 500) has nothing left to undo, so it is no failure either.
   */
  private async act(ref: ContainerRef, action: Action): Promise<boolean> {
    const id = encodeURIComponent(ref.id);
    try {
      const { status } = await this.call(
        `${action} of container '${ref.name}'`,
        'POST',
        `/containers/${id}/${action}`,
      );
      return status !== 304;
    } catch (err) {
      const status = ((err as DvolError).cause as EngineError | undefined)?.statusCode;
      if (status === 404 && (action === 'stop' || action === 'unpause')) return false;
      if (action === 'unpause' && !(await this.isPaused(id).catch(() => true))) return false;
      throw err;
    }
  }

  /** Whether the container is paused now; a container that is gone is not. */
  private async isPaused(id: string): Promise<boolean> {
    try {
      const { body } = await this.call('inspecting a container', 'GET', `/containers/${id}/json`);
      return (body as { State?: { Paused?: boolean } } | undefined)?.State?.Paused === true;
    } catch (err) {
      if (((err as DvolError).cause as EngineError | undefined)?.statusCode === 404) return false;
      throw err;
    }
  }

  private isOurs(driver: string | undefined): boolean {
    // 'dvol', 'dvol:latest', '127.0.0.1:5000/org/dvol:1.0' all name this plugin.
    const last = (driver ?? '').split('/').pop() ?? '';
    return last.replace(/:[^:]*$/, '') === this.driverName;
  }

  private async call(doing: string, method: 'GET' | 'POST', path: string) {
    try {
      return await engineCall(this.socketPath, method, path);
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

/** Docker's own message when there is one, rather than our wrapper text. */
function detail(err: unknown): string {
  const e = err instanceof DvolError && err.cause ? err.cause : err;
  return e instanceof Error ? e.message : String(e);
}
