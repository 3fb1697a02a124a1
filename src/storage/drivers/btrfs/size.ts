// Disk usage of a branch or commit subvolume: apparent bytes, and the bytes only it holds.

import type { DataSize } from '../driver.js';
import { run } from '../exec.js';

/** Apparent size (`du --apparent-size`), staying inside the subvolume (`-x`: nested ones are not ours). */
async function apparentBytes(subvolume: string): Promise<number> {
  const { stdout } = await run(
    'du',
    ['-s', '-x', '-B1', '--apparent-size', subvolume],
    `measuring the size of '${subvolume}'`,
  );
  return Number(/^(\d+)/.exec(stdout)?.[1] ?? NaN);
}

/** Exclusive bytes from the subvolume's qgroup, exact and cheap, when quotas are enabled; else undefined. */
async function qgroupExclusive(subvolume: string): Promise<number | undefined> {
  let stdout: string;
  try {
    ({ stdout } = await run(
      'btrfs',
      ['qgroup', 'show', '-f', '--raw', '--sync', subvolume],
      'reading qgroups',
    ));
  } catch {
    return undefined; // quotas not enabled (the common case): fall back to extent sharing
  }
  const row = /^0\/\d+\s+(\d+)\s+(\d+)/m.exec(stdout);
  return row?.[2] === undefined ? undefined : Number(row[2]);
}

/**
 * Bytes of extents no other file or snapshot references (`btrfs filesystem du`'s Exclusive column,
 * from FIEMAP's shared flag): what deleting the subvolume would free, without needing quotas.
 */
async function extentExclusive(subvolume: string): Promise<number | undefined> {
  const { stdout } = await run(
    'btrfs',
    ['filesystem', 'du', '-s', '--raw', subvolume],
    `measuring the exclusive size of '${subvolume}'`,
  );
  const row = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+/m.exec(stdout);
  return row?.[2] === undefined ? undefined : Number(row[2]);
}

/** Size of a subvolume: apparent bytes, and exclusive bytes from qgroups or from extent sharing. */
export async function subvolumeSize(subvolume: string): Promise<DataSize> {
  const bytes = await apparentBytes(subvolume);
  const exclusive = (await qgroupExclusive(subvolume)) ?? (await extentExclusive(subvolume));
  return exclusive === undefined ? { bytes } : { bytes, exclusive };
}
