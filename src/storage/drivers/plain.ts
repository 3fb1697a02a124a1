// The plain driver: every commit, branch and reset is a full copy. Works on any filesystem.

import { CopyDriver } from './copy/driver.js';
import type { DriverFactory } from './driver.js';
import { run } from './exec.js';

/** Full copies with GNU cp; the fallback when nothing better works. */
export const plainFactory: DriverFactory<'plain'> = {
  name: 'plain',
  capabilities: {
    atomicSnapshots: false,
    exclusiveBytes: 'exact: every commit is a full copy, so all its blocks are its own',
  },
  options: {},
  async probe(): Promise<true | string> {
    try {
      const { stdout } = await run('cp', ['--version'], 'checking for GNU cp');
      return stdout.includes('GNU coreutils')
        ? true
        : 'cp is not GNU coreutils cp (needed for --reflink and --sparse)';
    } catch {
      return 'cp was not found; install GNU coreutils';
    }
  },
  open: (opts) => new CopyDriver('plain', opts, 'never'),
};
