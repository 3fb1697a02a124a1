// The check of option values against what a driver declares (driver.ts's DriverOption), in one
// wording for every driver: used by the create path (src/storage/options.ts) and by drivers' open().

import { DvolError } from '../errors.js';
import { quote } from '../names.js';
import type { DriverOption } from './driver.js';

/**
 * Throws DvolError 'invalid' naming the valid values for the first declared option whose given value
 * its list does not hold. Options the driver does not declare are the caller's business.
 */
export function checkOptionValues(
  driver: string,
  declared: Readonly<Record<string, DriverOption>>,
  options: Record<string, string>,
): void {
  for (const [name, { values }] of Object.entries(declared)) {
    const value = Object.hasOwn(options, name) ? options[name] : undefined;
    if (value !== undefined && values !== undefined && !values.includes(value)) {
      throw new DvolError(
        'invalid',
        `invalid value ${quote(value)} for the ${driver} option ${quote(name)}`,
        `use one of: ${values.join(', ')}`,
      );
    }
  }
}
