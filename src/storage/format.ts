// The store's on-disk format marker (format.json): written on first open, checked on every open.

import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readJson, writeJsonAtomic } from './atomic.js';
import { DvolError } from './errors.js';
import { LOCK_FILE } from './statelock.js';

/** The format this code reads and writes. Bump it when an older dvol could misread the new layout. */
export const FORMAT_VERSION = 1;
export const FORMAT_NAME = 'dvol-store';

/** The directory of the server's CLI socket (`run/dvol.sock`), which it may make before the store opens. */
export const RUN_DIR = 'run';
const CLI_SOCKET = 'dvol.sock';
/** What mkfs.ext4 puts at the root of a new filesystem. */
const LOST_FOUND = 'lost+found';
/** How many of a directory's foreign entries the refusal names. */
const NAMED = 3;

interface FormatFile {
  format: string;
  version: number;
}

/**
 * A directory that is not a dvol store: no format.json, and entries dvol did not make. Nothing in it
 * can be a dvol volume, which the server relies on to tell Docker so (see src/server/unavailable.ts).
 */
export class NotAStoreError extends DvolError {
  constructor(root: string, foreign: string[]) {
    const names = foreign.slice(0, NAMED).map((n) => `'${n}'`);
    const more = foreign.length > NAMED ? ` and ${foreign.length - NAMED} more` : '';
    super(
      'corrupt',
      `${root} is not empty and has no format.json, so it is not a dvol state directory (it holds ${names.join(', ')}${more})`,
      `remove what is not dvol's from ${root}, or point dvol at an empty directory or an existing dvol state directory`,
    );
  }
}

/**
 * Makes `root` a dvol store if it is empty, or checks that it is one this code understands. An unknown
 * version is refused rather than guessed at: writing to a newer format could corrupt it.
 */
export async function checkFormat(root: string): Promise<void> {
  const path = join(root, 'format.json');
  const file = await readJson<FormatFile>(path);
  if (file === undefined) {
    const foreign = await foreignEntries(root);
    if (foreign.length > 0) throw new NotAStoreError(root, foreign);
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

/**
 * The entries of a directory without format.json that make it not empty. Not counted: what a fresh
 * filesystem brings (an empty lost+found: one with files holds what fsck recovered, which may be a
 * damaged store), the store's lock, and the CLI socket's directory holding nothing else.
 */
async function foreignEntries(root: string): Promise<string[]> {
  const foreign: string[] = [];
  for (const entry of await readdir(root, { withFileTypes: true })) {
    if (entry.name === LOCK_FILE) continue;
    const inside =
      entry.isDirectory() && (entry.name === LOST_FOUND || entry.name === RUN_DIR)
        ? await readdir(join(root, entry.name), { withFileTypes: true }).catch(() => undefined)
        : undefined;
    const ours =
      (entry.name === LOST_FOUND && inside?.length === 0) ||
      (entry.name === RUN_DIR && inside?.every((e) => e.name === CLI_SOCKET && e.isSocket()) === true);
    if (!ours) foreign.push(entry.name);
  }
  return foreign.sort();
}
