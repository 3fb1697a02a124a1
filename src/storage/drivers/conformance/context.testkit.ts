// Shared context of the conformance suite's groups: fresh driver instances on real directories.

import fs from 'node:fs';
import path from 'node:path';
import type { Test } from 'tap';

import { DvolError } from '../../errors.js';
import type { DriverFactory, SnapshotDriver } from '../driver.js';

/** What every group of the suite gets. */
export interface SuiteContext {
  factory: DriverFactory;
  /** The directory the suite runs in (on the filesystem under test). */
  dir: string;
  /** Whether `user.*` xattrs work under dir. */
  xattrs: boolean;
  /** A driver on a fresh, empty root under dir (destroyed at the test's teardown). */
  open(t: Test): { driver: SnapshotDriver; root: string };
}

let counter = 0;

export function makeContext(factory: DriverFactory, dir: string, xattrs: boolean): SuiteContext {
  return {
    factory,
    dir,
    xattrs,
    open(t) {
      const root = path.join(dir, `vol-${process.pid}-${counter++}`);
      fs.mkdirSync(root);
      const driver = factory.open({ root, options: {} });
      t.teardown(() => driver.destroy());
      return { driver, root };
    },
  };
}

/** Asserts that `promise` rejects with a DvolError of `code`. */
export async function rejectsWith(
  t: Test,
  promise: Promise<unknown>,
  code: string,
  what: string,
): Promise<void> {
  try {
    await promise;
    t.fail(`${what}: expected DvolError '${code}', but it succeeded`);
  } catch (err) {
    t.ok(err instanceof DvolError, `${what}: a DvolError`);
    t.equal((err as DvolError).code, code, `${what}: code ${code}`);
  }
}

/** Writes `n` files of `size` pseudo-random bytes under `dir/sub` (data big enough to take time to copy). */
export function writeBulk(dir: string, sub: string, n: number, size: number): void {
  fs.mkdirSync(path.join(dir, sub), { recursive: true });
  let seed = 12345;
  for (let i = 0; i < n; i++) {
    const buf = Buffer.allocUnsafe(size);
    for (let j = 0; j < size; j += 4) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      buf.writeUInt32LE(seed, j);
    }
    fs.writeFileSync(path.join(dir, sub, `f${i}`), buf);
  }
}
