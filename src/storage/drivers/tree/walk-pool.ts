// The worker threads that run walk tasks: one pool per process, shared by every walk, started on
// first use and ended after a few seconds without work, so an idle server or a finished CLI holds none.

import os from 'node:os';
import { Worker } from 'node:worker_threads';

import { runWalkTask, type WalkTask, type WalkTaskResult } from './walk-task.js';

/** How long an idle pool lives: long enough to serve the next diff of a session without a restart. */
const IDLE_MS = 30_000;

/**
 * The workers' code is runWalkTask's own text, so the same code runs from dist/, under tsx and under
 * tap's TypeScript loader (workers do not inherit a loader). esbuild, under tsx, wraps inner functions
 * in a `__name` helper of its module; the stand-in makes the copied text work without it.
 */
const SOURCE = `'use strict';
const __name = (f) => f;
const fs = require('node:fs');
const { parentPort } = require('node:worker_threads');
const run = ${runWalkTask.toString()};
parentPort.on('message', (m) => parentPort.postMessage({ id: m.id, result: run(fs, m.task) }));`;

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
    const worker = new Worker(SOURCE, { eval: true });
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
