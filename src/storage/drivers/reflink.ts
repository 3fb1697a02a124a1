// The reflink driver: like plain, but copies share blocks with their source (FICLONE, cp --reflink),
// so commits, branches and resets cost metadata, not data. Needs xfs (reflink=1) or btrfs.

import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

import { CopyDriver } from './copy/driver.js';
import type { DriverFactory } from './driver.js';
import { run } from './exec.js';
import { removeTree } from './fsutil.js';

/** Block-sharing copies; chosen automatically where a test reflink copy under the store works. */
export const reflinkFactory: DriverFactory<'reflink'> = {
  name: 'reflink',
  capabilities: {
    atomicSnapshots: false,
    exclusiveBytes: 'unknown: reflink copies share blocks in ways only the filesystem knows',
  },
  options: {},
  probe: probeReflink,
  open: (opts) => new CopyDriver('reflink', opts, 'always'),
};

/** Tries a real reflink copy of a small file in a scratch directory under `dir`. */
async function probeReflink(dir: string): Promise<true | string> {
  let scratch: string | undefined;
  try {
    await fs.mkdir(dir, { recursive: true });
    scratch = path.join(dir, `.reflink-probe-${randomBytes(4).toString('hex')}`);
    await fs.mkdir(scratch);
    await fs.writeFile(path.join(scratch, 'a'), randomBytes(8192));
    await run('cp', ['--reflink=always', '--', path.join(scratch, 'a'), path.join(scratch, 'b')], 'probing');
    return true;
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    return `the filesystem under ${dir} cannot make reflink copies (${detail})`;
  } finally {
    if (scratch !== undefined) await removeTree(scratch, 'removing the reflink probe').catch(() => undefined);
  }
}
