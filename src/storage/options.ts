// `docker volume create -o` options: the snapshot driver's name plus that driver's own options, checked
// against the driver registry before anything of a new volume is written. The one check of them, with
// one wording, for Docker's Create, the /dvol API and the store's own callers alike.

import { driverNames, getDriverFactory, isDriverName, type DriverName } from './drivers/index.js';
import { checkOptionValues } from './drivers/options.js';
import { DvolError } from './errors.js';
import type { CreateVolumeOptions } from './model.js';
import { quote } from './names.js';

/** `driver=plain|reflink|btrfs`: the option that picks the driver, as hints show it. */
function driverChoice(): string {
  return `driver=${driverNames.join('|')}`;
}

/**
 * Splits Docker-style create options into `driver` and the driver's own options. An unknown driver is
 * refused with the list of known ones, so `docker volume create` shows the fix; the driver's options
 * are checked by validateOptions when the store creates the volume.
 */
export function parseCreateOptions(volume: string, opts: Record<string, string>): CreateVolumeOptions {
  // `exclusive` is dvol's own mount policy, kept in the volume's record, never a driver option.
  const { driver, exclusive, ...options } = opts;
  if (exclusive !== undefined && exclusive !== 'true' && exclusive !== 'false') {
    throw new DvolError(
      'invalid',
      `option exclusive of volume ${quote(volume)} must be true or false`,
      'use -o exclusive=true for a volume one container at a time may mount',
    );
  }
  const policy = exclusive === 'true' ? { exclusive: true } : {};
  if (driver === undefined) return { options, ...policy };
  if (!isDriverName(driver)) {
    throw new DvolError(
      'invalid',
      `unknown snapshot driver ${quote(driver)} for volume ${quote(volume)}`,
      `use ${driverChoice()}`,
    );
  }
  return { driver, options, ...policy };
}

/**
 * Returns a copy of the options if the driver declares each of them and accepts its value; 'invalid'
 * naming the first unknown one with the known ones, or the bad value with the valid ones, or the
 * driver's own refusal of a combination. Runs before anything is written, so a refused create leaves
 * no volume behind.
 */
export function validateOptions(
  volume: string,
  driver: DriverName,
  options: Record<string, string>,
): Record<string, string> {
  const factory = getDriverFactory(driver);
  for (const key of Object.keys(options)) {
    if (!Object.hasOwn(factory.options, key)) {
      const known = [driverChoice(), ...Object.keys(factory.options)].join(', ');
      throw new DvolError(
        'invalid',
        `unknown option ${quote(key)} for volume ${quote(volume)} (driver ${driver})`,
        `known options: ${known}`,
      );
    }
  }
  checkOptionValues(driver, factory.options, options);
  factory.checkOptions?.(options);
  return { ...options };
}
