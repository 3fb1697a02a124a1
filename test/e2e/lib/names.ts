// Unique names for the e2e tests' volumes, containers and projects, so runs never collide.
import { randomBytes } from 'node:crypto';

let counter = 0;

/** `<prefix>-<pid>-<n>-<random>`: valid as a dvol volume, container and compose project name. */
export function uniqueName(prefix = 'e2e'): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}-${randomBytes(2).toString('hex')}`;
}
