// The fidelity fixture of the driver conformance suite: a tree with every kind of entry and metadata
// a database directory can hold, built for real (as root where the kernel requires it).

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** True when running as root: chown and mknod need it. */
export const isRoot = process.getuid?.() === 0;

/** A name that is not valid UTF-8 (raw bytes 'n', 0xff, 0xfe, '.bin'). */
export const BAD_NAME = Buffer.from([0x6e, 0xff, 0xfe, 0x2e, 0x62, 0x69, 0x6e]);

/** Fixture features that could not be built here, each with its reason. */
export interface FixtureResult {
  skipped: string[];
}

function sh(cmd: string, ...args: string[]): void {
  execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Whether `user.*` xattrs can be set in `dir` (tmpfs and some overlays refuse them). */
export function xattrsWork(dir: string): boolean {
  const probe = path.join(dir, '.xattr-probe');
  fs.writeFileSync(probe, '');
  try {
    sh('setfattr', '-n', 'user.probe', '-v', '1', probe);
    return true;
  } catch {
    return false;
  } finally {
    fs.rmSync(probe);
  }
}

/** Fills the (empty) directory `dir` with the fixture. */
export function buildFixture(dir: string): FixtureResult {
  const skipped: string[] = [];
  const p = (...parts: string[]) => path.join(dir, ...parts);
  fs.mkdirSync(p('data'), { mode: 0o750 });
  fs.writeFileSync(p('data', 'secret'), 'top secret\n', { mode: 0o600 });
  fs.writeFileSync(p('data', 'setuid'), '#!/bin/sh\n');
  fs.mkdirSync(p('sgid'));
  fs.mkdirSync(p('sticky'));
  fs.writeFileSync(p('owned'), 'owned by someone else\n');
  if (isRoot) {
    fs.chownSync(p('owned'), 1234, 5678);
    fs.chownSync(p('data', 'setuid'), 1234, 5678);
    fs.lchownSync(p('sgid'), 4321, 8765);
  } else skipped.push('owners (chown needs root)');
  // chown clears setuid/setgid, so the special bits come after it.
  fs.chmodSync(p('data', 'setuid'), 0o4755);
  fs.chmodSync(p('sgid'), 0o2775);
  fs.chmodSync(p('sticky'), 0o1777);
  if (xattrsWork(dir)) {
    sh('setfattr', '-n', 'user.color', '-v', 'blue', p('data', 'secret'));
    sh('setfattr', '-n', 'user.kind', '-v', '0x00ff01', p('sgid'));
  } else skipped.push('xattrs (the filesystem refuses user.* attributes)');
  fs.mkdirSync(p('links'));
  fs.symlinkSync('../data/secret', p('links', 'relative'));
  fs.symlinkSync('/nowhere/at/all', p('links', 'dangling'));
  fs.mkdirSync(p('hard'));
  fs.writeFileSync(p('hard', 'a'), 'shared inode\n');
  fs.linkSync(p('hard', 'a'), p('hard', 'b'));
  writeSparse(p('sparse'));
  sh('mkfifo', '-m', '0640', p('fifo'));
  if (isRoot) sh('mknod', '-m', '0620', p('device'), 'c', '1', '3');
  else skipped.push('device nodes (mknod needs root)');
  fs.mkdirSync(p('empty'));
  fs.writeFileSync(p('with space'), 'spaces\n');
  fs.writeFileSync(p('new\nline'), 'newline in name\n');
  fs.writeFileSync(Buffer.concat([Buffer.from(`${dir}/`), BAD_NAME]), 'not utf-8\n');
  // Times last: creating entries moves directory mtimes. Nanoseconds must survive.
  sh('touch', '-h', '-d', '@1000000000.123456789', p('links', 'relative'));
  sh('touch', '-d', '@1200000000.987654321', p('data', 'secret'), p('sparse'), p('data'));
  fs.chmodSync(dir, 0o700);
  return { skipped };
}

/** A 64 MiB file with 4 KiB of data in the middle: copies must keep it mostly holes. */
export const SPARSE_SIZE = 64 * 1024 * 1024;

function writeSparse(file: string): void {
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, Buffer.alloc(4096, 0x61), 0, 4096, SPARSE_SIZE / 2);
    fs.ftruncateSync(fd, SPARSE_SIZE);
  } finally {
    fs.closeSync(fd);
  }
}
