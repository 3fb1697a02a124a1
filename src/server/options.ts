// `docker volume create -o` options: the snapshot driver choice plus that driver's own options.

import type { DriverName } from '../storage/drivers/driver.js';
import { DvolError } from '../storage/errors.js';
import type { CreateVolumeOptions } from '../storage/model.js';

/** The options each available snapshot driver accepts, with a one-line description each. */
export type DriverCatalog = Partial<Record<DriverName, { knownOptions: Record<string, string> }>>;

/**
 * Splits create options into `driver` and the driver's options. Unknown drivers and options are
 * refused with the list of known ones, so `docker volume create` shows the fix.
 */
export function createOptions(
  volume: string,
  opts: Record<string, string>,
  drivers: DriverCatalog,
  defaultDriver: DriverName,
): CreateVolumeOptions {
  // `exclusive` is dvol's own mount policy, kept in the volume's metadata, never a driver option.
  const { driver: requested, exclusive, ...options } = opts;
  if (exclusive !== undefined && exclusive !== 'true' && exclusive !== 'false') {
    throw new DvolError('invalid', `option exclusive of volume '${volume}' must be true or false`);
  }
  const names = Object.keys(drivers);
  if (requested !== undefined && !names.includes(requested)) {
    throw new DvolError(
      'invalid',
      `unknown snapshot driver '${requested}' for volume '${volume}'`,
      `use driver=${names.join('|')}`,
    );
  }
  const driver = (requested ?? defaultDriver) as DriverName;
  const known = drivers[driver]?.knownOptions ?? {};
  const unknown = Object.keys(options).find((key) => !(key in known));
  if (unknown !== undefined) {
    const list = [`driver=${names.join('|')}`, ...Object.keys(known)].join(', ');
    throw new DvolError(
      'invalid',
      `unknown option '${unknown}' for volume '${volume}' (driver ${driver})`,
      `known options: ${list}`,
    );
  }
  return {
    ...(requested === undefined ? {} : { driver }),
    options,
    ...(exclusive === 'true' ? { exclusive: true } : {}),
  };
}
