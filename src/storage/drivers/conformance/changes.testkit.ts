// The change-detection cases of the conformance suite: each edit must make hasChanges true, and a
// reset to the commit must make it false again. The hard ones keep size and mtime.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { BAD_NAME, isRoot } from './fixture.testkit.js';

/** One kind of edit to a branch built from the fixture. */
export interface ChangeCase {
  name: string;
  /** Why the case cannot run here, if it cannot. */
  skip?: string | false;
  /** Whether the edit leaves the data equal to the commit (then hasChanges must stay false). */
  same?: boolean;
  edit(dir: string): void;
}

/** Formats a ns timestamp for touch -d. */
function at(ns: bigint): string {
  return `@${ns / 1_000_000_000n}.${String(ns % 1_000_000_000n).padStart(9, '0')}`;
}

/**
 * Sets an entry's mtime to the exact ns (fs.utimes goes through a double and loses them). The entry
 * is found by inode so that names that are not UTF-8 (which argv cannot carry) work too.
 */
export function setMtimeNs(file: string | Buffer, ns: bigint): void {
  const { ino } = fs.lstatSync(file, { bigint: true });
  const dir = Buffer.isBuffer(file)
    ? file.subarray(0, file.lastIndexOf(0x2f)).toString()
    : path.dirname(file);
  execFileSync('find', [
    dir,
    '-maxdepth',
    '1',
    '-inum',
    String(ino),
    '-exec',
    'touch',
    '-h',
    '-d',
    at(ns),
    '{}',
    '+',
  ]);
}

/** Rewrites the first byte of a file in place, keeping its size, then puts the exact old mtime back. */
export function editKeepingSizeAndMtime(file: string | Buffer, byte: number): void {
  const { mtimeNs } = fs.statSync(file, { bigint: true });
  const fd = fs.openSync(file, 'r+');
  fs.writeSync(fd, Buffer.from([byte]), 0, 1, 0);
  fs.closeSync(fd);
  setMtimeNs(file, mtimeNs);
}

export function changeCases(xattrs: boolean): ChangeCase[] {
  const noXattrs = !xattrs && 'the filesystem refuses user.* xattrs';
  return [
    { name: 'no edit at all', same: true, edit: () => undefined },
    {
      name: 'rewriting the same bytes and restoring mtime',
      same: true,
      edit: (d) => editKeepingSizeAndMtime(path.join(d, 'data/secret'), 't'.charCodeAt(0)),
    },
    {
      name: 'one-byte edit keeping size and mtime',
      edit: (d) => editKeepingSizeAndMtime(path.join(d, 'data/secret'), 'T'.charCodeAt(0)),
    },
    {
      name: 'one-byte edit keeping size and mtime in a non-UTF-8 name',
      edit: (d) => editKeepingSizeAndMtime(Buffer.concat([Buffer.from(`${d}/`), BAD_NAME]), 0x4e),
    },
    { name: 'chmod of a file', edit: (d) => fs.chmodSync(path.join(d, 'data/secret'), 0o644) },
    { name: 'chmod of the root directory', edit: (d) => fs.chmodSync(d, 0o777) },
    {
      name: 'chown',
      skip: !isRoot && 'chown needs root',
      edit: (d) => fs.chownSync(path.join(d, 'owned'), 1, 1),
    },
    {
      name: 'symlink retargeted (same length)',
      edit: (d) => {
        const link = path.join(d, 'links/dangling');
        const { mtimeNs } = fs.lstatSync(link, { bigint: true });
        fs.rmSync(link);
        fs.symlinkSync('/nowhere/at/ALL', link);
        setMtimeNs(link, mtimeNs); // same mtime too: only the target tells them apart
      },
    },
    { name: 'file deleted', edit: (d) => fs.rmSync(path.join(d, 'with space')) },
    { name: 'empty directory deleted', edit: (d) => fs.rmdirSync(path.join(d, 'empty')) },
    { name: 'new empty directory', edit: (d) => fs.mkdirSync(path.join(d, 'empty/new')) },
    { name: 'new empty file', edit: (d) => fs.writeFileSync(path.join(d, 'empty/new'), '') },
    { name: 'mtime only', edit: (d) => setMtimeNs(path.join(d, 'owned'), 1_500_000_000_000_000_001n) },
    {
      name: 'file renamed',
      edit: (d) => fs.renameSync(path.join(d, 'with space'), path.join(d, 'with_space')),
    },
    { name: 'hard link added', edit: (d) => fs.linkSync(path.join(d, 'owned'), path.join(d, 'owned2')) },
    {
      name: 'fifo replaced by an empty file',
      edit: (d) => {
        fs.rmSync(path.join(d, 'fifo'));
        fs.writeFileSync(path.join(d, 'fifo'), '', { mode: 0o640 });
      },
    },
    {
      name: 'xattr value changed (same length)',
      skip: noXattrs,
      edit: (d) => execFileSync('setfattr', ['-n', 'user.color', '-v', 'BLUE', path.join(d, 'data/secret')]),
    },
    {
      name: 'xattr added to a directory',
      skip: noXattrs,
      edit: (d) => execFileSync('setfattr', ['-n', 'user.new', '-v', 'x', path.join(d, 'empty')]),
    },
    {
      name: 'xattr removed',
      skip: noXattrs,
      edit: (d) => execFileSync('setfattr', ['-x', 'user.kind', path.join(d, 'sgid')]),
    },
  ];
}
