// The registry of snapshot drivers: find a driver by name, and pick the best one for a directory.

import { DvolError } from '../errors.js';
import { quote } from '../names.js';
import { btrfsFactory } from './btrfs/driver.js';
import type { DriverFactory, DriverName } from './driver.js';
import { plainFactory } from './plain.js';
import { reflinkFactory } from './reflink.js';

export type { DataSize, DriverFactory, DriverName, DriverOptions, SnapshotDriver } from './driver.js';

/** Every driver built into dvol, by name. */
export const driverFactories: Partial<Record<DriverName, DriverFactory>> = {
  plain: plainFactory,
  reflink: reflinkFactory,
  btrfs: btrfsFactory,
};

/** The same factories as a list (for callers that iterate). */
export const DRIVERS: DriverFactory[] = Object.values(driverFactories);

/** Preference order for new volumes: the first whose probe succeeds wins; plain always works. */
const PREFERENCE: DriverName[] = ['btrfs', 'reflink'];

/** The factory of a driver by name; DvolError 'invalid' naming the known drivers otherwise. */
export function getDriverFactory(name: string): DriverFactory {
  const factory = Object.hasOwn(driverFactories, name) ? driverFactories[name as DriverName] : undefined;
  if (factory !== undefined) return factory;
  const known = Object.keys(driverFactories).join(', ');
  throw new DvolError('invalid', `unknown storage driver ${quote(name)}`, `use one of: ${known}`);
}

/**
 * The driver new volumes under `dir` should use: btrfs where its probe succeeds, else reflink where a
 * reflink copy works there, else plain. (An environment override is the caller's business.)
 */
export async function chooseDefaultDriver(dir: string): Promise<DriverName> {
  for (const name of PREFERENCE) {
    const factory = driverFactories[name];
    if (factory !== undefined && (await factory.probe(dir)) === true) return name;
  }
  return 'plain';
}
