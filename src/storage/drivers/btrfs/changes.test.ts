// btrfs-specific change detection on real btrfs: the generation fast path, noise the send stream
// reports (atime, identical rewrites), and the path-level change list meant for `dvol diff`. Every kind
// of edit the contract names is covered by the shared conformance suite (conformance.test.ts).

import { promises as fs } from 'node:fs';
import path from 'node:path';
import t from 'tap';

import { btrfsFactory, type BtrfsDriver } from './driver.js';
import { snapshotChanges } from './changes.js';
import type { PathChange } from './path-change.js';
import { loopBtrfsFor } from './loop.testkit.js';
import { firstRealChange } from './verify.js';
import { run } from '../exec.js';

const COMMIT = 'c'.repeat(40);
const OLD = new Date('2020-01-01T00:00:00Z');

const mountpoint = await loopBtrfsFor(t, 'btrfs change detection tests');
if (mountpoint) {
  let volumes = 0;

  /** A committed branch holding a file, a symlink, a directory with a file, and an xattr. */
  const committed = async (): Promise<{ d: BtrfsDriver; dir: string }> => {
    const root = path.join(mountpoint, `vol${++volumes}`);
    await fs.mkdir(root);
    const d = btrfsFactory.open({ root, options: {} }) as BtrfsDriver;
    await d.createBranch('main');
    const dir = d.branchPath('main');
    await fs.writeFile(path.join(dir, 'f'), 'hello world');
    await fs.utimes(path.join(dir, 'f'), OLD, OLD);
    await fs.symlink('f', path.join(dir, 'l'));
    await fs.mkdir(path.join(dir, 'd'));
    await fs.writeFile(path.join(dir, 'd', 'z'), 'z');
    await run('setfattr', ['-n', 'user.k', '-v', 'v1', path.join(dir, 'f')], 'test');
    await d.snapshot('main', COMMIT);
    return { d, dir };
  };

  t.test('a fresh commit is clean, through the generation fast path', async (t) => {
    const { d } = await committed();
    t.equal(await d.hasChanges('main', COMMIT), false);
    t.equal(d.lastCheck, 'generation');
  });

  t.test('an edit is found by the send stream once the generation moved', async (t) => {
    const { d, dir } = await committed();
    await fs.chmod(path.join(dir, 'f'), 0o600);
    t.equal(await d.hasChanges('main', COMMIT), true);
    t.equal(d.lastCheck, 'send');
  });

  t.test('reading files (atime) or rewriting the same bytes is not a change', async (t) => {
    const { d, dir } = await committed();
    await new Promise((resolve) => setTimeout(resolve, 1100)); // let atime differ from the commit's
    await fs.readFile(path.join(dir, 'd', 'z'));
    await fs.readdir(path.join(dir, 'd'));
    const handle = await fs.open(path.join(dir, 'f'), 'r+');
    await handle.write('hello', 0);
    await handle.close();
    await fs.utimes(path.join(dir, 'f'), OLD, OLD);
    t.equal(await d.hasChanges('main', COMMIT), false);
    t.equal(d.lastCheck, 'send', 'the generation moved, so the send stream decided');
    t.equal(await d.hasChanges('main', COMMIT), false);
    t.equal(d.lastCheck, 'generation', 'and the new baseline makes the next call fast');
    await fs.appendFile(path.join(dir, 'f'), '!');
    t.equal(await d.hasChanges('main', COMMIT), true, 'a write right after is seen');
  });

  t.test('a branch made or reset from a commit is clean until written', async (t) => {
    const { d, dir } = await committed();
    await d.branchFromCommit(COMMIT, 'dev');
    t.equal(await d.hasChanges('dev', COMMIT), false);
    t.equal(d.lastCheck, 'generation');
    await fs.writeFile(path.join(dir, 'f'), 'changed');
    await d.resetBranch('main', COMMIT);
    t.equal(await d.hasChanges('main', COMMIT), false);
    t.equal(d.lastCheck, 'generation');
  });

  t.test("the change list names real paths, not send's temporary orphan names", async (t) => {
    const { d, dir } = await committed();
    await fs.mkdir(path.join(dir, 'e'));
    await fs.writeFile(path.join(dir, 'e', 'new'), 'n');
    await fs.rename(path.join(dir, 'd', 'z'), path.join(dir, 'd', 'y'));
    await fs.unlink(path.join(dir, 'l'));
    await fs.chmod(path.join(dir, 'f'), 0o600);
    await d.snapshot('main', 'e'.repeat(40));
    const seen: string[] = [];
    for await (const c of snapshotChanges(d.commitPath(COMMIT), d.commitPath('e'.repeat(40)))) {
      seen.push(describe(c));
    }
    t.ok(seen.includes('added e'), seen.join('; '));
    t.ok(seen.includes('added e/new'));
    t.ok(seen.includes('deleted l'));
    t.ok(seen.includes('mode f'));
    t.ok(seen.includes('renamed d/z -> d/y') || (seen.includes('added d/y') && seen.includes('deleted d/z')));
    t.notOk(
      seen.some((s) => /\bo\d+-\d+-\d+/.test(s)),
      'no orphan names',
    );
    const first = await firstRealChange(d.commitPath(COMMIT), d.commitPath('e'.repeat(40)));
    t.ok(first, 'firstRealChange finds one');
  });
}

function describe(c: PathChange): string {
  return c.kind === 'renamed'
    ? `renamed ${c.from?.toString()} -> ${c.path.toString()}`
    : `${c.kind} ${c.path}`;
}
