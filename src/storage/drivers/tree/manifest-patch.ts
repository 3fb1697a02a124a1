// What a walk found different from a manifest, recorded only where it differs, so that a clean walk
// of a big tree keeps nothing per entry; replayed into a fresh manifest when one is worth saving.

import { ManifestBuilder, ManifestCursor, type Manifest } from './manifest.js';

/** Differences from `base`, each at the ordinal of the base entry the walk's merge had reached. */
export class ManifestPatch {
  private readonly at: number[] = [];
  private readonly paths: string[] = [];
  private readonly fps: string[] = [];
  private readonly replaces: boolean[] = [];
  /** Ordinals of the base entries the walk did not meet, ascending. */
  private readonly droppedAt: number[] = [];
  /** Their paths. */
  readonly dropped: string[] = [];

  constructor(private readonly base: Manifest) {}

  /**
   * The walk met `path` with fingerprint `fp` when the merge stood at base entry `at`; `replaces` when
   * that entry has this path (with another fingerprint), else the path is new before it.
   */
  put(at: number, path: string, fp: string, replaces: boolean): void {
    this.at.push(at);
    this.paths.push(path);
    this.fps.push(fp);
    this.replaces.push(replaces);
  }

  /** The base entry `at`, at `path`, was not met by the walk. */
  drop(at: number, path: string): void {
    this.droppedAt.push(at);
    this.dropped.push(path);
  }

  /** The walked tree's entries, in walk order: the base with the patch applied. */
  builder(): ManifestBuilder {
    const { at, replaces } = this;
    const builder = new ManifestBuilder();
    const base = new ManifestCursor(this.base.entries);
    let e = 0;
    let g = 0;
    const put = () => {
      builder.add(this.paths[e] as string, this.fps[e] as string);
      e++;
    };
    for (; ; base.next()) {
      const k = base.index;
      while (e < at.length && at[e] === k && !replaces[e]) put();
      if (base.done) break;
      if (this.droppedAt[g] === k) g++;
      else if (e < at.length && at[e] === k) put();
      else builder.add(base.path(), base.fp());
    }
    return builder;
  }
}
