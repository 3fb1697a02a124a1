// A walk that yields every entry's fingerprint in walkTree's order (depth first, names sorted bytewise)
// while worker threads list directories and lstat entries ahead of it, in chunks, big flat directories
// split too. Small trees never start a worker: the first entries are walked on the calling thread.

import { walkPool, type WalkPool } from './walk-pool.js';
import { JobHeap } from './walk-queue.js';
import { runWalkTask, type WalkTask, type WalkTaskResult } from './walk-task.js';

/** One entry of the walk. */
export interface WalkedEntry {
  /** Relative path as walkTree yields it ('' for the root), raw bytes as latin1 characters. */
  path: string;
  /** manifest.ts's fingerprint of the entry's lstat. */
  fp: string;
  /** d directory, l symlink, f anything else. */
  kind: 'd' | 'l' | 'f';
  /** The symlink's target (latin1), for symlinks only. */
  target?: string;
}

export interface WalkOptions {
  /** Entries to lstat on the calling thread before workers take over (default 4096; 0: at once). */
  inline?: number;
}

/** Entries per task: a few ms of work, so a message's cost is small and dispatch stays dynamic. */
const CHUNK = 1024;
/** Tasks handed out ahead of the consumer: bounds the memory held when the consumer is slower. */
const AHEAD = 8;

/** A task of this walk and, once answered, its entries and the tasks it made for what it found. */
interface Job {
  /** Position of the job's first entry in walk order, as child indexes; orders the queue. */
  key: number[];
  task: WalkTask;
  /** Relative path prefix of the entries ('' or 'dir/'). */
  prefix: string;
  names?: string[];
  state: 'queued' | 'sent' | 'done';
  answer?: Promise<Answer>;
}

/** A task's result as it came, parsed only when the consumer reaches it: short-lived objects are cheap. */
interface Answer {
  job: Job;
  result: WalkTaskResult;
  /** The listing job of each directory entry, by entry index. */
  subdirs: (Job | undefined)[];
  /** For a listing: the jobs that lstat the directory's remaining names, in order. */
  rest: Job[];
}

/**
 * Yields the root and every entry below it in walkTree's order, in batches; entries that vanish
 * during the walk are skipped. Stopping early drops the work not yet handed out.
 */
export async function* walkFingerprints(
  root: string,
  options: WalkOptions = {},
): AsyncGenerator<WalkedEntry[]> {
  const walk = new Walk(Buffer.from(root).toString('latin1'), options.inline ?? 4096);
  try {
    yield* walk.entries();
  } finally {
    walk.stop();
  }
}

class Walk {
  private readonly queue = new JobHeap<Job>();
  private ahead = 0;
  private pool: WalkPool | undefined;
  private stopped = false;

  constructor(
    private readonly root: string,
    private inlineLeft: number,
  ) {}

  async *entries(): AsyncGenerator<WalkedEntry[]> {
    // The root is job [0]: its listing is [0, 0], its entries [0, i], and so on down.
    const top = await this.get(this.job([0], { base: '', names: this.root }, '', [''], false));
    const [rootEntry] = this.parse(top);
    if (rootEntry === undefined) return;
    yield [rootEntry];
    const start = top.subdirs[0];
    if (start === undefined) return;
    // Each frame is a directory being yielded: its jobs in order, and where we are in them.
    const stack: Frame[] = [{ jobs: [start], j: -1, entries: [], i: 0, subdirs: [] }];
    while (stack.length > 0) {
      const frame = stack[stack.length - 1] as Frame;
      if (frame.i >= frame.entries.length) {
        const job = frame.jobs[++frame.j];
        if (job === undefined) {
          stack.pop();
          continue;
        }
        const answer = await this.get(job);
        if (frame.j === 0) frame.jobs.push(...answer.rest);
        if (answer.result.error) throw walkError(answer.result.error);
        frame.entries = this.parse(answer);
        frame.subdirs = answer.subdirs;
        frame.i = 0;
      }
      const { entries, subdirs } = frame;
      const batch: WalkedEntry[] = [];
      let sub: Job | undefined;
      while (frame.i < entries.length && sub === undefined) {
        const entry = entries[frame.i];
        sub = subdirs[frame.i++];
        if (entry) batch.push(entry);
      }
      if (batch.length > 0) yield batch;
      if (sub) stack.push({ jobs: [sub], j: -1, entries: [], i: 0, subdirs: [] });
    }
  }

  /** The entries of an answer, undefined where one vanished. */
  private parse({ job, result }: Answer): (WalkedEntry | undefined)[] {
    const names = job.names as string[];
    const fps = result.fps.split('\0');
    const targets = result.targets.split('\0');
    const entries: (WalkedEntry | undefined)[] = [];
    let t = 0;
    for (let i = 0; i < result.kinds.length; i++) {
      const kind = result.kinds[i] as WalkedEntry['kind'] | '-';
      entries.push(
        kind === '-'
          ? undefined
          : {
              path: job.prefix + (names[i] as string),
              fp: fps[i] as string,
              kind,
              target: kind === 'l' ? targets[t++] : undefined,
            },
      );
    }
    return entries;
  }

  /** Drops queued work; answers still on their way are ignored. */
  stop(): void {
    this.stopped = true;
    this.queue.clear();
  }

  private job(key: number[], task: WalkTask, prefix: string, names?: string[], queued = true): Job {
    const job: Job = { key, task, prefix, names, state: 'queued' };
    if (queued) {
      this.queue.push(job);
      this.pump();
    }
    return job;
  }

  /** The job's answer, sending it now if it has not been (the consumer needs it next). */
  private async get(job: Job): Promise<Answer> {
    if (job.state === 'queued') this.send(job); // the heap skips it later
    const answer = await (job.answer as Promise<Answer>);
    this.ahead--;
    this.pump();
    return answer;
  }

  private send(job: Job): void {
    job.state = 'sent';
    this.ahead++;
    if (this.pool) {
      job.answer = this.pool.run(job.task).then((r) => this.answer(job, r));
      job.answer.catch(() => undefined); // a job dropped by an early stop must not be an unhandled rejection
      return;
    }
    const result = runWalkTask(job.task);
    this.inlineLeft -= result.kinds.length;
    if (this.inlineLeft <= 0) this.pool = walkPool();
    // Yield to the event loop between inline tasks, as walkTree does between batches.
    job.answer = new Promise((resolve) => setImmediate(resolve)).then(() => this.answer(job, result));
  }

  /** Sends queued jobs, first in walk order first, while workers and the lookahead have room. */
  private pump(): void {
    const pool = this.pool;
    if (!pool) return;
    while (!this.stopped && this.ahead < AHEAD && pool.load < 2 * pool.size) {
      const job = this.queue.pop();
      if (job === undefined) return;
      this.send(job);
    }
  }

  /** Queues the jobs for what a task found: the rest of a big directory, and every subdirectory. */
  private answer(job: Job, result: WalkTaskResult): Answer {
    job.state = 'done';
    const dirKey = job.key.slice(0, -1);
    const offset = job.key[job.key.length - 1] as number;
    const rest: Job[] = [];
    if (result.listing !== undefined) {
      const all = result.listing === '' ? [] : result.listing.split('\0');
      job.names = all.slice(0, CHUNK);
      for (let i = CHUNK; i < all.length && !this.stopped; i += CHUNK) {
        const names = all.slice(i, i + CHUNK);
        const task = { base: job.task.base, names: names.join('\0') };
        rest.push(this.job([...dirKey, i], task, job.prefix, names));
      }
    }
    const names = job.names as string[];
    const subdirs: (Job | undefined)[] = [];
    for (let i = result.kinds.indexOf('d'); i >= 0 && !this.stopped; i = result.kinds.indexOf('d', i + 1)) {
      const path = job.prefix + (names[i] as string);
      const base = path === '' ? `${this.root}/` : `${this.root}/${path}/`;
      subdirs[i] = this.job(
        [...dirKey, offset + i, 0],
        { base, first: CHUNK },
        path === '' ? '' : `${path}/`,
      );
    }
    return { job, result, subdirs, rest };
  }
}

/** A directory being yielded: its jobs in order, the current one's entries, and the position in them. */
interface Frame {
  jobs: Job[];
  j: number;
  entries: (WalkedEntry | undefined)[];
  i: number;
  subdirs: (Job | undefined)[];
}

/** The error a task met, rebuilt with its code, as walkTree would have thrown it. */
function walkError(e: NonNullable<WalkTaskResult['error']>): Error {
  return Object.assign(new Error(e.message), { code: e.code, syscall: e.syscall });
}
