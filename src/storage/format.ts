// The store's on-disk format marker (format.json): written on first open, checked on every open.

import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readJson, writeJsonAtomic } from './atomic.js';
import { DvolError } from './errors.js';
import { LOCK_FILE } from './statelock.js';

/** The format this code reads and writes. Bump it when an older dvol could misread the new layout. */
export const FORMAT_VERSION = 1;
export const FORMAT_NAME = 'dvol-store';

interface FormatFile {
  format: string;
  version: number;
}

/**
 * Makes `root` a dvol store if it is empty, or checks that it is one this code understands. An unknown
 * version is refused rather than guessed at: writing to a newer format could corrupt it.
 */
export async function checkFormat(root: string): Promise<void> {
  const path = join(root, 'format.json');
  const file = await readJson<FormatFile>(path);
  if (file === undefined) {
    const others = (await readdir(root)).filter((n) => n !== LOCK_FILE);
    if (others.length > 0) {
      throw new DvolError(
        'corrupt',
        `${root} is not empty and has no format.json, so it is not a dvol state directory`,
        'point dvol at an empty or existing dvol state directory',
      );
    }
    await writeJsonAtomic(path, { format: FORMAT_NAME, version: FORMAT_VERSION });
    return;
  }
  if (file.format !== FORMAT_NAME) {
    throw new DvolError(
      'corrupt',
      `${path} does not describe a dvol store (format '${String(file.format)}')`,
    );
  }
  if (file.version !== FORMAT_VERSION) {
    const newer = typeof file.version === 'number' && file.version > FORMAT_VERSION;
    throw new DvolError(
      'corrupt',
      `the state directory ${root} uses store format version ${String(file.version)}, this dvol reads version ${FORMAT_VERSION}`,
      newer
        ? 'upgrade dvol to a release that reads this format'
        : 'this version was never written by dvol; restore the directory from a backup',
    );
  }
}
