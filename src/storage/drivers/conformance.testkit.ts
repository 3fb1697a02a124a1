// The driver conformance suite: every SnapshotDriver must pass it on a real filesystem. Run it from a
// driver's test with the directory to test in: `await runDriverConformance(t, factory, dir)`.

import type { Test } from 'tap';

import type { DriverFactory } from './driver.js';
import { makeContext } from './conformance/context.testkit.js';
import { crashGroups } from './conformance/crash.testkit.js';
import { deletionGroups } from './conformance/deletion.testkit.js';
import { detectGroups } from './conformance/detect.testkit.js';
import { fidelityGroups } from './conformance/fidelity.testkit.js';
import { xattrsWork } from './conformance/fixture.testkit.js';
import { lifecycleGroups } from './conformance/lifecycle.testkit.js';

/**
 * Runs every contract of driver.ts against `factory` in `dir` (which must exist, on the filesystem
 * under test): lifecycle and errors, fidelity of every copy, isolation, size, change detection,
 * crashes at many moments, and background deletion. Cases that cannot run here (not root, no xattrs)
 * are skipped with the reason.
 */
export async function runDriverConformance(t: Test, factory: DriverFactory, dir: string): Promise<void> {
  const probe = await factory.probe(dir);
  if (probe !== true) {
    t.test(`${factory.name} driver conformance`, { skip: probe }, () => undefined);
    return;
  }
  const ctx = makeContext(factory, dir, xattrsWork(dir));
  if (!ctx.xattrs) t.comment(`user.* xattrs do not work under ${dir}: xattr cases are skipped`);
  lifecycleGroups(t, ctx);
  fidelityGroups(t, ctx);
  detectGroups(t, ctx);
  crashGroups(t, ctx);
  deletionGroups(t, ctx);
}
