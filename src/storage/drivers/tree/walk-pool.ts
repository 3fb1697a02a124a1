// The worker threads that run walk tasks: one pool per process, shared by every walk, started on
// first use and ended after 30 s without work, so an idle server or a finished CLI holds none.

import os from 'node:os';
import { Worker } from 'node:worker_threads';

import type { WalkTask, WalkTaskResult } from './walk-task.js';

/** How long an idle pool lives: long enough to serve the next diff of a session without a restart. */
const IDLE_MS = 30_000;

/**
 * The workers' entry file, beside this module: walk-worker.js in dist/ and beside the plugin's bundled
 * server (build/plugin.sh bundles it there), walk-worker.ts when this module runs as TypeScript source
 * (under tsx or tap), whose loader the workers then need too.
 */
const source = import.meta.url.endsWith('.ts');
const ENTRY = new URL(source ? './walk-worker.ts' : './walk-worker.js', import.meta.url);

/** Node options that load modules before the entry: how tsx and tap make TypeScript importable. */
const LOADER_FLAGS = ['--import', '--require', '-r', '--loader', '--experimental-loader'];

/**
 * The options of `execArgv` a worker gets: the loader options (`--import`, `--require`, `--loader`
 * with their values), which it needs to import TypeScript, and nothing else (by default a worker
 * inherits all of them, and `--eval`, `--input-type` or `--test` fail it). tap's ts-node registers its
 * hooks in whichever thread imports it, so its options pass as they are; tsx registers only on the
 * main thread where Node's hooks are asynchronous (Node 20), so its `--import` becomes an explicit
 * registration through tsx's own API.
 */
export function workerLoaderArgs(execArgv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i] as string;
    const eq = arg.indexOf('=');
    const flag = eq < 0 ? arg : arg.slice(0, eq);
    if (!LOADER_FLAGS.includes(flag)) continue;
    const value = eq < 0 ? execArgv[++i] : arg.slice(eq + 1);
    if (value === undefined) break;
    if (flag === '--import' && isTsx(value)) out.push('--import', tsxRegistration());
    else out.push(flag, value);
  }
  return out;
}

/** `--import tsx`, and the file URLs tsx's own command line uses for it. */
function isTsx(value: string): boolean {
  return value === 'tsx' || value === 'tsx/esm' || /\/tsx\/dist\/(loader|esm\/index)\.mjs$/.test(value);
}

/** A module that registers tsx's hooks in the thread that imports it (tsx's API resolved from here). */
function tsxRegistration(): string {
  const api = import.meta.resolve('tsx/esm/api');
  return `data:text/javascript,${encodeURIComponent(`import { register } from ${JSON.stringify(api)}; register();`)}`;
}

interface Slot {
  worker: Worker;
  pending: Map<number, { resolve(r: WalkTaskResult): void; reject(e: Error): void }>;
}

/** A fixed number of workers; each task goes to the one with the fewest tasks in hand. */
export class WalkPool {
  private readonly slots: Slot[] = [];
  private nextId = 0;
  private done = 0;
  private idle: NodeJS.Timeout | undefined;

  constructor(readonly size: number) {}

  /** Tasks sent and not answered yet, over all workers. */
  get load(): number {
    return this.slots.reduce((n, s) => n + s.pending.size, 0);
  }

  /** Tasks answered since the pool was made. */
  get answered(): number {
    return this.done;
  }

  /** Live workers. */
  get workers(): number {
    return this.slots.length;
  }

  /** Runs a task on a worker; rejects if that worker dies first. */
  run(task: WalkTask): Promise<WalkTaskResult> {
    clearTimeout(this.idle);
    while (this.slots.length < this.size) this.slots.push(this.start());
    const slot = this.slots.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const id = this.nextId++;
    slot.worker.ref();
    slot.worker.postMessage({ id, task });
    return new Promise((resolve, reject) => slot.pending.set(id, { resolve, reject }));
  }

  /** Ends every worker now; tasks in hand are rejected. */
  async close(): Promise<void> {
    clearTimeout(this.idle);
    const slots = this.slots.splice(0);
    for (const s of slots) this.fail(s, new Error('the walk pool was closed'));
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private start(): Slot {
    const worker = new Worker(ENTRY, { execArgv: workerLoaderArgs(process.execArgv) });
    const slot: Slot = { worker, pending: new Map() };
    worker.on('message', ({ id, result }: { id: number; result: WalkTaskResult }) => {
      const waiter = slot.pending.get(id);
      slot.pending.delete(id);
      this.done++;
      waiter?.resolve(result);
      if (slot.pending.size === 0) worker.unref(); // an idle worker must not keep the process alive
      if (this.load === 0) this.idle = setTimeout(() => void this.close(), IDLE_MS).unref();
    });
    const lost = (err: Error) => {
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
      this.fail(slot, err);
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`a walk worker exited with code ${code}`)));
    return slot;
  }

  private fail(slot: Slot, err: Error): void {
    for (const waiter of slot.pending.values()) waiter.reject(err);
    slot.pending.clear();
  }
}

let shared: WalkPool | undefined;

/** The process's pool; undefined on a single CPU, where workers cannot make a walk faster. */
export function walkPool(): WalkPool | undefined {
  const cpus = os.availableParallelism();
  if (cpus < 2) return undefined;
  shared ??= new WalkPool(Math.min(cpus, 4));
  return shared;
}
