// Where the btrfs driver keeps things under a volume's root, and the per-branch change baselines.

import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

/**
 * root/branches/<branch>   writable subvolume per branch (the bind-mounted directory)
 * root/commits/<commit>    read-only snapshot per commit
 * root/tmp/<kind>-<name>[-<random>]  subvolumes being built or torn down; cleanup() finishes or removes them
 * root/trash/<random>      subvolumes no longer needed, deleted in the background (see trash.ts)
 * root/baselines/<branch>  {commit, generation}: the branch's generation when it last equalled commit
 */
export class BtrfsLayout {
  constructor(readonly root: string) {}

  get branches(): string {
    return path.join(this.root, 'branches');
  }
  get commits(): string {
    return path.join(this.root, 'commits');
  }
  get tmp(): string {
    return path.join(this.root, 'tmp');
  }
  get trash(): string {
    return path.join(this.root, 'trash');
  }
  get baselines(): string {
    return path.join(this.root, 'baselines');
  }

  branch(name: string): string {
    return path.join(this.branches, name);
  }
  commit(id: string): string {
    return path.join(this.commits, id);
  }
  /**
   * A temporary name. Only reset-old is fixed (it marks an interrupted reset); the others get a random
   * suffix, because a killed dvol can leave a `btrfs` child running that still creates its snapshot.
   */
  temp(kind: TempKind, name: string): string {
    const suffix = kind === 'reset-old' ? '' : `-${randomBytes(4).toString('hex')}`;
    return path.join(this.tmp, `${kind}-${name}${suffix}`);
  }
  baseline(branch: string): string {
    return path.join(this.baselines, branch);
  }
}

/** What a temporary subvolume under root/tmp is for; the prefix of its name. */
export type TempKind = 'create' | 'reset-new' | 'reset-old' | 'check';

/**
 * The branch's subvolume generation at the moment its data equalled `commit`. While the (synced)
 * generation is still this number, nothing in the branch has changed since.
 */
export interface Baseline {
  commit: string;
  generation: number;
}

export async function readBaseline(layout: BtrfsLayout, branch: string): Promise<Baseline | undefined> {
  try {
    const parsed = JSON.parse(await fs.readFile(layout.baseline(branch), 'utf8')) as Partial<Baseline>;
    if (typeof parsed.commit === 'string' && typeof parsed.generation === 'number') {
      return { commit: parsed.commit, generation: parsed.generation };
    }
    return undefined; // unreadable: the send comparison decides, and records a new one
  } catch {
    return undefined;
  }
}

/**
 * Written atomically (temp file, rename) but not fsynced: it is a cache, so it may be lost in a crash,
 * and btrfs commits it in a later transaction than the subvolume state it describes (callers sync or
 * snapshot first), so it is never newer than the data after a crash.
 */
export async function writeBaseline(layout: BtrfsLayout, branch: string, baseline: Baseline): Promise<void> {
  await fs.mkdir(layout.baselines, { recursive: true });
  const file = layout.baseline(branch);
  const tmp = `${file}.tmp-${randomBytes(4).toString('hex')}`;
  await fs.writeFile(tmp, `${JSON.stringify(baseline)}\n`);
  await fs.rename(tmp, file);
}

export async function removeBaseline(layout: BtrfsLayout, branch: string): Promise<void> {
  await fs.rm(layout.baseline(branch), { force: true });
}
