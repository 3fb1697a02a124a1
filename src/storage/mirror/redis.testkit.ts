// A real redis-server for the mirror's tests: started on 127.0.0.1 and a free port, read back with
// redis-cli (as the seed's own test script does), stopped by its pid.

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { freePort } from '../net.testkit.js';

const run = promisify(execFile);

export interface TestRedis {
  port: number;
  url: string;
  /** `redis-cli -p PORT ARGS...`, its output without the final newline. */
  cli(...args: string[]): Promise<string>;
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** Starts a redis-server, stopped at `owner`'s teardown (a tap test, or a benchmark's list). */
export async function startRedis(owner: { teardown(fn: () => Promise<void>): void }): Promise<TestRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const cli = async (...args: string[]) =>
    (await run('redis-cli', ['-p', String(port), '--raw', ...args])).stdout.replace(/\n$/, '');
  const start = async () => {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    );
    for (let i = 0; i < 100; i++) {
      if ((await cli('ping').catch(() => '')) === 'PONG') return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`redis-server did not answer on port ${port}`);
  };
  const stop = async () => {
    const c = child;
    child = undefined;
    if (c === undefined || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
  };
  await start();
  owner.teardown(stop);
  return { port, url: `redis://127.0.0.1:${port}/0`, cli, stop, start };
}
