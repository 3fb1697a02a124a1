// Runs server-child.ts for a fault test: spawns it, waits for `ready`, collects what it logs to
// stderr (internal errors go there), reads its RSS, and stops it at teardown.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';
import type { ServerConfig } from '../../../src/server/config.js';

const CHILD = fileURLToPath(new URL('./server-child.ts', import.meta.url));

export interface Standalone {
  child: ChildProcess;
  /** Everything the server wrote to stderr so far. */
  stderr(): string;
  /** Resident set size in bytes, from /proc. */
  rss(): number;
  stop(): Promise<void>;
}

/** Starts a server with `config` in `cwd`; resolves once both sockets listen. */
export async function startStandalone(t: Test, config: ServerConfig, cwd: string): Promise<Standalone> {
  const child = spawn(
    process.execPath,
    ['--import', import.meta.resolve('tsx'), CHILD, JSON.stringify(config)],
    {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = once(child, 'exit');
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  t.teardown(stop);
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready\n')) resolve();
    });
    child.once('exit', (code) =>
      reject(new Error(`the server exited with ${code} before it was ready: ${err}`)),
    );
  });
  return {
    child,
    stderr: () => err,
    rss: () => {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024;
    },
    stop,
  };
}
