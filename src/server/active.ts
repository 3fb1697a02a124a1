// The active volume (`dvol init`, `dvol switch`): one per host, kept in the state directory.

import { join } from 'node:path';
import { readJson, writeJsonAtomic } from '../storage/atomic.js';

interface ActiveFile {
  active: string | null;
}

/** The volume that CLI verbs act on when no volume is named; shared by every shell. */
export class ActiveVolume {
  private constructor(
    private readonly path: string,
    private name: string | null,
  ) {}

  /** Loads `<state>/active.json` (absent: no active volume). */
  static async load(stateDir: string): Promise<ActiveVolume> {
    const path = join(stateDir, 'active.json');
    const file = await readJson<ActiveFile>(path);
    return new ActiveVolume(path, typeof file?.active === 'string' ? file.active : null);
  }

  get(): string | null {
    return this.name;
  }

  /** Persists the new active volume (atomically: a crash leaves the old or the new one). */
  async set(name: string | null): Promise<void> {
    await writeJsonAtomic(this.path, { active: name } satisfies ActiveFile);
    this.name = name;
  }

  /** Clears it if `name` was active (the volume was removed). */
  async forget(name: string): Promise<void> {
    if (this.name === name) await this.set(null);
  }
}
