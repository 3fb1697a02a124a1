// The registry of snapshot drivers, the one place that lists them: their names, a driver by name, its
// capabilities, and the best one for a directory. Adding a driver is one line in DRIVERS.

import { DvolError } from '../errors.js';
import { quote } from '../names.js';
import { btrfsFactory } from './btrfs/driver.js';
import type { DriverCapabilities, DriverFactory } from './driver.js';
import { plainFactory } from './plain.js';
import { reflinkFactory } from './reflink.js';

export type {
  DataSize,
  DriverCapabilities,
  DriverFactory,
  DriverOption,
  DriverOptions,
  SnapshotDriver,
} from './driver.js';

/**
 * Every driver built into dvol, simplest first. New volumes get the last one whose probe succeeds
 * under the state directory; the first, plain, works everywhere and is the fallback, unprobed.
 */
const DRIVERS = [plainFactory, reflinkFactory, btrfsFactory] as const;

/** A built-in driver's name, as volume records and `-o driver=` name it. */
export type DriverName = (typeof DRIVERS)[number]['name'];

const byName = new Map<string, DriverFactory<DriverName>>(DRIVERS.map((f) => [f.name, f]));

/** Every built-in driver's name, simplest first. */
export const driverNames: readonly DriverName[] = DRIVERS.map((f) => f.name);

/** Whether `name` is a built-in driver's name. */
export function isDriverName(name: string): name is DriverName {
  return byName.has(name);
}

/** The factory of a driver by name; DvolError 'invalid' naming the known drivers otherwise. */
export function getDriverFactory(name: string): DriverFactory<DriverName> {
  const factory = byName.get(name);
  if (factory !== undefined) return factory;
  throw new DvolError(
    'invalid',
    `unknown snapshot driver ${quote(name)}`,
    `use one of: ${driverNames.join(', ')}`,
  );
}

/** What the layers above may count on from a driver (pausing containers for a commit or not). */
export function driverCapabilities(name: DriverName): DriverCapabilities {
  return getDriverFactory(name).capabilities;
}

/**
 * The driver new volumes under `dir` should use: the last in DRIVERS whose probe succeeds there
 * (btrfs on btrfs, else reflink where a reflink copy works), else plain. (An environment override is
 * the caller's business.)
 */
export async function chooseDefaultDriver(dir: string): Promise<DriverName> {
  const [fallback, ...better] = DRIVERS;
  for (const factory of better.reverse()) {
    if ((await factory.probe(dir)) === true) return factory.name;
  }
  return fallback.name;
}
