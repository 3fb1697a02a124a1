// The shared driver conformance suite, run on a real loopback btrfs filesystem.

import t from 'tap';

import { btrfsFactory } from './btrfs.js';
import { createLoopFs, loopFsUnavailable } from './loopfs.testkit.js';
import { runDriverConformance } from './conformance.testkit.js';

const unavailable = await loopFsUnavailable('btrfs');
if (unavailable) {
  t.test(`btrfs driver conformance: ${unavailable}`, { skip: unavailable }, () => undefined);
} else {
  const loop = await createLoopFs('btrfs', 1024 ** 3);
  t.teardown(loop.dispose);
  await runDriverConformance(t, btrfsFactory, loop.mountpoint);
}
