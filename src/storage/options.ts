// Driver options checked against what the chosen driver accepts, before a volume is created.

import type { DriverName } from './drivers/driver.js';
import { getDriverFactory } from './drivers/index.js';
import { DvolError } from './errors.js';

/** Returns the options if the driver knows each of them; 'invalid' naming the first unknown one. */
export function validateOptions(name: DriverName, options: Record<string, string>): Record<string, string> {
  const known = getDriverFactory(name).knownOptions;
  for (const key of Object.keys(options)) {
    if (!Object.hasOwn(known, key)) {
      const list = Object.keys(known);
      throw new DvolError(
        'invalid',
        `driver '${name}' has no option '${key}'`,
        list.length > 0 ? `known options: ${list.join(', ')}` : `driver '${name}' takes no options`,
      );
    }
  }
  return { ...options };
}
