// One unit of a parallel walk: list a directory and/or lstat a run of its entries, returning each
// entry's fingerprint, kind and symlink target as NUL-joined strings. Runs on the calling thread or
// in a worker (walk-worker.ts), so its answer is plain strings, cheap to post between threads.

import fs from 'node:fs';

import { fingerprint } from './manifest.js';
import { isGone } from './walk.js';

/** Work for one task. Names and paths are latin1 strings, one character per raw byte. */
export interface WalkTask {
  /** The directory's raw path as latin1, ending in '/' ('' when `names` are whole paths). */
  base: string;
  /** The names to lstat, NUL-joined; omitted to list the directory and lstat its first `first`. */
  names?: string;
  first?: number;
}

/** What a task found; entries are those of `names` (or the listing's first ones), in that order. */
export interface WalkTaskResult {
  /** For a listing: every name of the directory, sorted bytewise, NUL-joined ('' when empty). */
  listing?: string;
  /** One fingerprint per entry, each followed by NUL ('' for an entry that vanished). */
  fps: string;
  /** One character per entry: d directory, l symlink, f anything else, - vanished. */
  kinds: string;
  /** Targets of the 'l' entries, in order, each followed by NUL. */
  targets: string;
  /** A failure other than vanishing (EACCES...), for the walk to throw when it gets there. */
  error?: { message: string; code?: string; syscall?: string };
}

/** Printable ASCII: the latin1 paths whose UTF-8 encoding is the same bytes. */
const ASCII = /^[ -~]*$/;

/** A latin1 path as fs takes it: Node encodes string paths as UTF-8, so others go as bytes. */
function raw(p: string): string | Buffer {
  return ASCII.test(p) ? p : Buffer.from(p, 'latin1'); // a string is cheaper where it is the same
}

/** Runs one task; names are sorted as latin1 strings, which is bytewise. */
export function runWalkTask(task: WalkTask): WalkTaskResult {
  const out: WalkTaskResult = { fps: '', kinds: '', targets: '' };
  try {
    let names: string[];
    if (task.names !== undefined) names = task.names === '' ? [] : task.names.split('\0');
    else {
      let all: string[];
      try {
        all = fs.readdirSync(raw(task.base), { encoding: 'latin1' });
      } catch (err) {
        if (!isGone(err)) throw err;
        all = [];
      }
      all.sort();
      out.listing = all.join('\0');
      names = all.slice(0, task.first ?? all.length);
    }
    for (const name of names) {
      const p = raw(task.base + name);
      const st = fs.lstatSync(p, { bigint: true, throwIfNoEntry: false });
      if (st === undefined) {
        out.kinds += '-';
        out.fps += '\0';
        continue;
      }
      let kind = st.isDirectory() ? 'd' : 'f';
      if (st.isSymbolicLink()) {
        try {
          out.targets += `${fs.readlinkSync(p, { encoding: 'latin1' })}\0`;
          kind = 'l';
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (!isGone(err) && code !== 'EINVAL') throw err;
          kind = '-'; // replaced or removed between lstat and readlink: as if it vanished
        }
      }
      out.kinds += kind;
      out.fps += kind === '-' ? '\0' : `${fingerprint(st)}\0`;
    }
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    out.error = { message: e.message, code: e.code, syscall: e.syscall };
  }
  return out;
}
