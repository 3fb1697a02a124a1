// Copying a directory tree with GNU cp, as a full copy or one that shares blocks with its source.

import path from 'node:path';

import { run } from '../exec.js';

/** How copies share data: never (plain full copies) or always (reflink, fails where unsupported). */
export type CopyMode = 'never' | 'always';

/**
 * Copies the directory `src` to the new path `dst` with everything cp -a keeps: modes, owners,
 * timestamps, xattrs, symlinks, hard links, holes, fifos and device nodes.
 */
export async function copyTree(src: string, dst: string, mode: CopyMode): Promise<void> {
  await run(
    'cp',
    ['-a', '--no-target-directory', '--sparse=auto', `--reflink=${mode}`, '--', src, dst],
    `copying ${path.basename(src)}`,
  );
}
