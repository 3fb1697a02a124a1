// Per-key async mutex: operations on one key run one at a time, in call order; keys are independent.

import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Serializes async work per key (a volume name) inside this process. Re-entrant: a `run` started
 * inside a `run` of the same key, in the same async call chain and while that one still holds the
 * key, runs at once instead of deadlocking. That lets the server take a volume's lock before a lock
 * of its own and then call the store, which takes the volume's lock again (Store.exclusive).
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();
  /** Who holds each key now: a token per run. */
  private readonly owners = new Map<string, symbol>();
  /** The keys the current async call chain holds, with the token of the run that took each. */
  private readonly held = new AsyncLocalStorage<ReadonlyMap<string, symbol>>();

  /** Runs `fn` once every earlier `run` on the same key has settled; resolves or rejects with `fn`. */
  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const mine = this.held.getStore()?.get(key);
    if (mine !== undefined && this.owners.get(key) === mine) return fn();
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => done);
    this.tails.set(key, tail);
    await previous;
    const token = Symbol(key);
    this.owners.set(key, token);
    try {
      return await this.held.run(new Map(this.held.getStore()).set(key, token), fn);
    } finally {
      this.owners.delete(key);
      release();
      // Drop the entry when nobody queued behind us, so the map does not grow with every key ever used.
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /** Whether some operation on `key` is running or queued. */
  busy(key: string): boolean {
    return this.tails.has(key);
  }

  /** Resolves once every operation queued so far, on every key, has settled. */
  async idle(): Promise<void> {
    while (this.tails.size > 0) await Promise.all(this.tails.values());
  }
}
