// What the benchmarks through the installed plugin share: its state directory moved to a loopback
// btrfs for the run, the built CLI run as its own process (as a user runs it), and waits for the
// plugin's background deletions so that none falls into the next timing.

import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { run } from '../src/storage/drivers/exec.js';
import { runOk } from '../test/e2e/lib/exec.js';
import { waitForPlugin } from '../test/e2e/lib/plugin.js';
import { stateOnLoopFs } from '../test/e2e/lib/statefs.js';
import { nowMs } from './engine.js';

const CLI = new URL('../dist/cli/dvol.js', import.meta.url).pathname;
const long = { timeout: 1_800_000 };

export interface PluginBench {
  /** The plugin's state directory on the host (the loopback btrfs). */
  state: string;
  /** Runs the built CLI with its own config home; rejects on failure; resolves to its stdout. */
  dvol(...args: string[]): Promise<string>;
  /** Seconds one `dvol args...` process takes from spawn to exit. */
  timedDvol(...args: string[]): Promise<number>;
  /** Resolves once nothing is left in the store's or any volume's trash. */
  trashEmptied(): Promise<void>;
  /** Commits the btrfs transaction (untimed before each timing, so no earlier writeback lands in it). */
  settle(): Promise<void>;
  /** Registers a cleanup; they run last-registered first in `close`. */
  cleanup(fn: () => Promise<unknown>): void;
  close(): Promise<void>;
}

/** Moves the plugin's state to a fresh loopback btrfs of `bytes` and readies the CLI. */
export async function pluginBench(bytes: number): Promise<PluginBench> {
  const cleanups: (() => Promise<unknown>)[] = [];
  const home = await mkdtemp(join(tmpdir(), 'dvol-bench-home-'));
  cleanups.push(() => rm(home, { recursive: true, force: true }));
  const close = async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn().catch((err: unknown) => console.error(err));
  };
  try {
    await waitForPlugin();
    const state = await stateOnLoopFs({ teardown: (fn) => cleanups.push(fn) }, 'btrfs', bytes);
    const env = { ...process.env, HOME: home };
    const dvol = (...args: string[]) => runOk(process.execPath, [CLI, ...args], { env, ...long });
    await dvol('config', 'user.name', 'Bench');
    await dvol('config', 'user.email', 'bench@example.com');
    const trashes = async () => [
      join(state, 'trash'),
      ...(await readdir(join(state, 'volumes'))).map((v) => join(state, 'volumes', v, 'data', 'trash')),
    ];
    const pending = async () => {
      for (const dir of await trashes()) if ((await readdir(dir).catch(() => [])).length > 0) return true;
      return false;
    };
    return {
      state,
      dvol,
      timedDvol: async (...args) => {
        const start = nowMs();
        await dvol(...args);
        return (nowMs() - start) / 1000;
      },
      trashEmptied: async () => {
        while (await pending()) await new Promise((resolve) => setTimeout(resolve, 20));
      },
      settle: () => run('btrfs', ['filesystem', 'sync', state], 'sync').then(() => undefined),
      cleanup: (fn) => cleanups.push(fn),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
