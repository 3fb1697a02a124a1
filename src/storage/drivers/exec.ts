// Runs the external tools the drivers rely on (cp, sync, rm, getfattr) as argv arrays, never shells.

import { execFile } from 'node:child_process';

import { DvolError, asDvolError } from '../errors.js';

/** What a finished command printed. */
export interface RunResult {
  stdout: string;
  stderr: string;
}

/**
 * Runs `cmd args...` and resolves with its output; a non-zero exit becomes a DvolError ('no_space'
 * when the tool reports a full disk, 'internal' otherwise) saying what we were `doing`.
 */
export function run(
  cmd: string,
  args: string[],
  doing: string,
  opts: {
    /** Failures whose every stderr line matches this count as success (e.g. "Operation not supported"). */
    tolerate?: RegExp;
  } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    // stdout as latin1 keeps any bytes intact for parsers; stderr is for people, so UTF-8.
    execFile(cmd, args, { maxBuffer: 256 * 1024 * 1024, encoding: 'buffer' }, (err, out, errOut) => {
      const stdout = out.toString('latin1');
      const stderr = errOut.toString('utf8');
      if (!err) return resolve({ stdout, stderr });
      const lines = stderr.split('\n').filter((l) => l !== '');
      if (opts.tolerate && lines.length > 0 && lines.every((l) => opts.tolerate?.test(l))) {
        return resolve({ stdout, stderr });
      }
      if (/No space left on device|Disk quota exceeded/.test(stderr)) {
        return reject(asDvolError(Object.assign(new Error(stderr.trim()), { code: 'ENOSPC' }), doing));
      }
      const detail = stderr.trim().split('\n').slice(0, 5).join('; ') || err.message;
      reject(new DvolError('internal', `${doing} failed: ${cmd}: ${detail}`, undefined, { cause: err }));
    });
  });
}
