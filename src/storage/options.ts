// Driver options checked against what the chosen driver accepts, before a volume is created.

import type { DriverName } from './drivers/driver.js';
import { getDriverFactory } from './drivers/index.js';
import { DvolError } from './errors.js';
import { quote } from './names.js';

/**
 * Returns the options if the driver knows each of them and accepts their values; 'invalid' naming the
 * first unknown one, or the driver's own error for a bad value. Runs before anything is written, so a
 * refused create leaves no volume behind.
 */
export function validateOptions(name: DriverName, options: Record<string, string>): Record<string, string> {
  const factory = getDriverFactory(name);
  const known = factory.knownOptions;
  for (const key of Object.keys(options)) {
    if (!Object.hasOwn(known, key)) {
      const list = Object.keys(known);
      throw new DvolError(
        'invalid',
        `driver '${name}' has no option ${quote(key)}`,
        list.length > 0 ? `known options: ${list.join(', ')}` : `driver '${name}' takes no options`,
      );
    }
  }
  factory.checkOptions?.(options);
  return { ...options };
}
