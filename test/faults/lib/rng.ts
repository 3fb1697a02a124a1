// A seeded pseudo-random generator (mulberry32), so every fault run can be replayed from its seed.

/** Random choices drawn from one 32-bit seed; the same seed gives the same sequence. */
export class Rng {
  #state: number;

  constructor(readonly seed: number) {
    this.#state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let x = this.#state;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** The seed of a run: `env[name]` when set (to replay a failure), else a fresh one to print. */
export function seedFrom(name: string, env: NodeJS.ProcessEnv = process.env): number {
  const given = env[name];
  if (given !== undefined && given !== '') {
    const seed = Number(given);
    if (!Number.isInteger(seed)) throw new Error(`${name}=${given} is not an integer seed`);
    return seed >>> 0;
  }
  return Math.floor(Math.random() * 2 ** 32);
}

/** A count from `env[name]` (a positive integer), else `fallback`. */
export function countFrom(name: string, fallback: number, env: NodeJS.ProcessEnv = process.env): number {
  const given = env[name];
  if (given === undefined || given === '') return fallback;
  const n = Number(given);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name}=${given} must be a positive integer`);
  return n;
}
