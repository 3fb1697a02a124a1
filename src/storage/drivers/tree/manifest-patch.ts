// What a walk found different from a manifest, recorded only where it differs, so that a clean walk
// of a big tree keeps nothing per entry; replayed into a fresh manifest when one is worth saving.

import { ManifestBuilder, type Manifest } from './manifest.js';

/** Differences from `base`, each at the index of the base entry the walk's merge had reached. */
export class ManifestPatch {
  private readonly at: number[] = [];
  private readonly paths: string[] = [];
  private readonly fps: string[] = [];
  private readonly replaces: boolean[] = [];
  /** Indexes of base entries the walk did not meet, ascending. */
  readonly dropped: number[] = [];

  constructor(private readonly base: Manifest) {}

  /**
   * The walk met `path` with fingerprint `fp` when the merge stood at base index `at`; `replaces` when
   * the base entry there has that path (with another fingerprint), else the path is new before it.
   */
  put(at: number, path: string, fp: string, replaces: boolean): void {
    this.at.push(at);
    this.paths.push(path);
    this.fps.push(fp);
    this.replaces.push(replaces);
  }

  /** The base entry at `index` was not met by the walk. */
  drop(index: number): void {
    this.dropped.push(index);
  }

  /** The walked tree's entries, in walk order: the base with the patch applied. */
  builder(): ManifestBuilder {
    const { base, at, replaces } = this;
    const builder = new ManifestBuilder();
    const n = base.paths.length;
    let e = 0;
    let g = 0;
    const put = () => {
      builder.add(this.paths[e] as string, this.fps[e] as string);
      e++;
    };
    for (let k = 0; k <= n; k++) {
      while (e < at.length && at[e] === k && !replaces[e]) put();
      if (k === n) break;
      if (this.dropped[g] === k) g++;
      else if (e < at.length && at[e] === k) put();
      else builder.add(base.paths[k] as string, base.fps[k] as string);
    }
    return builder;
  }
}
