// The shared driver conformance suite, run on a real loopback btrfs filesystem.

import t from 'tap';

import { btrfsFactory } from './driver.js';
import { loopBtrfsFor } from './loop.testkit.js';
import { runDriverConformance } from '../conformance.testkit.js';

const mountpoint = await loopBtrfsFor(t, 'btrfs driver conformance');
if (mountpoint) {
  await runDriverConformance(t, btrfsFactory, mountpoint);
}
