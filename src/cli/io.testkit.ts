// Test helpers: an Io that records what the CLI writes (optionally as a terminal), and a dead socket.

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Io } from './printer.js';

/** A recording Io plus accessors for what was written. */
export interface CapturedIo {
  io: Io;
  out(): string;
  err(): string;
}

/** An Io writing into strings; `tty` makes both streams claim to be terminals. */
export function captureIo(
  opts: { tty?: boolean; env?: NodeJS.ProcessEnv; answer?: string } = {},
): CapturedIo {
  let out = '';
  let err = '';
  const io: Io = {
    stdout: { write: (s: string) => (out += s), isTTY: opts.tty ?? false },
    stderr: { write: (s: string) => (err += s), isTTY: opts.tty ?? false },
    env: opts.env ?? { PATH: process.env.PATH },
    ...(opts.answer === undefined ? {} : { ask: async () => opts.answer ?? '' }),
  };
  return { io, out: () => out, err: () => err };
}

/**
 * Leaves a unix socket file at `path` that nobody listens on, as a crashed plugin does: a child node
 * listens there and is killed with SIGKILL, so it cannot remove the file.
 */
export function deadSocket(path: string): void {
  const script =
    "require('net').createServer().listen(process.argv[1], () => process.kill(process.pid, 'SIGKILL'))";
  try {
    execFileSync(process.execPath, ['-e', script, path], { stdio: 'ignore' });
  } catch {
    // Killed by its own SIGKILL, as intended.
  }
  if (!existsSync(path)) throw new Error(`no socket file was left at ${path}`);
}
