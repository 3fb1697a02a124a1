// fsck of the whole store: the format marker, the volumes directory, the mount table, then each volume.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DvolError } from './errors.js';
import { checkFormat } from './format.js';
import type { FsckProblem } from './model.js';

/** Checks the store at `root` with its volume `names` and the volumes the mount table holds `mounted`. */
export async function fsckStore(
  root: string,
  names: string[],
  mounted: string[],
  fsckVolume: (name: string) => Promise<FsckProblem[]>,
): Promise<FsckProblem[]> {
  const problems: FsckProblem[] = [];
  try {
    await checkFormat(root);
  } catch (err) {
    if (!(err instanceof DvolError)) throw err;
    problems.push({ volume: '', kind: 'bad-format', message: err.message });
  }
  const volumes = new Set<string>();
  for (const name of names.sort()) {
    if (!existsSync(join(root, 'volumes', name, 'volume.json'))) {
      problems.push({
        volume: name,
        kind: 'orphan-volume-dir',
        message: `volumes/${name} has no volume.json`,
      });
      continue;
    }
    volumes.add(name);
    try {
      problems.push(...(await fsckVolume(name)));
    } catch (err) {
      // A volume whose metadata cannot be read is a finding, not a reason to stop checking the rest.
      if (!(err instanceof DvolError)) throw err;
      problems.push({ volume: name, kind: 'unreadable', message: err.message });
    }
  }
  for (const name of mounted.filter((n) => !volumes.has(n))) {
    problems.push({
      volume: name,
      kind: 'mount-unknown-volume',
      message: `the mount table holds mounts of volume '${name}', which does not exist`,
    });
  }
  return problems;
}
