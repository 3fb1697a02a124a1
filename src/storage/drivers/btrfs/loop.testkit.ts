// Test helper: a loopback btrfs filesystem for the rest of a test file, or a skip saying why not.

import type { Test } from 'tap';

import { createLoopFs, loopFsUnavailable } from '../loopfs.testkit.js';

/**
 * Mounts a 1 GiB loopback btrfs filesystem, unmounted at `t`'s teardown, and resolves to its mount
 * point; when that cannot be done here (not root, no btrfs-progs), records a skipped test named `what`
 * with the reason and resolves to undefined.
 */
export async function loopBtrfsFor(t: Test, what: string): Promise<string | undefined> {
  const why = await loopFsUnavailable('btrfs');
  if (why) {
    t.test(`${what}: ${why}`, { skip: why }, () => undefined);
    return undefined;
  }
  const loop = await createLoopFs('btrfs', 1024 ** 3);
  t.teardown(loop.dispose);
  return loop.mountpoint;
}
