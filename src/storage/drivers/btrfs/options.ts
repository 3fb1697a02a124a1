// The btrfs driver's per-volume options (copyonwrite, compression) and the `.nocow` marker file.

import { promises as fs } from 'node:fs';
import path from 'node:path';

import { DvolError } from '../../errors.js';
import type { DriverOption } from '../driver.js';
import { checkOptionValues } from '../options.js';
import { setNoCow, setProperty } from './cli.js';

/** Accepted at create time (`docker volume create -d dvol -o copyonwrite=false`): what each does, its values. */
export const btrfsOptions: Readonly<Record<string, DriverOption>> = {
  copyonwrite: {
    description:
      "'false' turns off copy-on-write for the volume's files (chattr +C): recommended for databases, snapshots still work",
    values: ['true', 'false'],
  },
  compression: {
    description: "'zstd', 'lzo' or 'zlib': compress the volume's data transparently",
    values: ['zstd', 'lzo', 'zlib'],
  },
};

/** Validated options. */
export interface BtrfsSettings {
  noCow: boolean;
  compression?: string;
}

/** Checks option values; throws 'invalid' naming the valid values. Unknown names are the caller's job. */
export function parseBtrfsOptions(options: Record<string, string>): BtrfsSettings {
  checkOptionValues('btrfs', btrfsOptions, options);
  const settings: BtrfsSettings = { noCow: options.copyonwrite === 'false' };
  if (options.compression !== undefined) settings.compression = options.compression;
  if (settings.noCow && settings.compression) {
    throw new DvolError(
      'invalid',
      'the btrfs options copyonwrite=false and compression cannot be combined: btrfs compresses only copy-on-write files',
      'choose one of the two options',
    );
  }
  return settings;
}

/**
 * Applies the settings to a new, still empty branch subvolume. Both are inherited: files created
 * below take the directory's No_COW flag and compression property, and snapshots keep them.
 */
export async function applyBtrfsSettings(subvolume: string, settings: BtrfsSettings): Promise<void> {
  if (settings.noCow) await setNoCow(subvolume);
  if (settings.compression) await setProperty(subvolume, 'compression', settings.compression);
}

/** The marker file that asks for copy-on-write to be turned off, as buttervolume does. */
export const NOCOW_MARKER = '.nocow';

/**
 * If the branch's data has a `.nocow` file at its root, sets No_COW on the root directory so that files
 * created from now on skip copy-on-write (btrfs cannot convert files that already hold data). Resolves
 * to whether the marker was there.
 */
export async function honourNocowMarker(branchDir: string): Promise<boolean> {
  try {
    await fs.lstat(path.join(branchDir, NOCOW_MARKER));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  await setNoCow(branchDir);
  return true;
}
