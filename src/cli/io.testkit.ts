// Test helper: an Io that records what the CLI writes, optionally pretending to be a terminal.

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
