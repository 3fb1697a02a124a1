// The queue of a parallel walk: jobs ordered by their position in walk order, so the work the
// consumer needs next is handed out first, whatever order directories were discovered in.

/** A job as the queue sees it: its walk position (child indexes, compared lexicographically). */
export interface Queued {
  key: number[];
  state: 'queued' | 'sent' | 'done';
}

/** Queued jobs, earliest walk position on top; jobs sent out of turn are skipped when they surface. */
export class JobHeap<Job extends Queued> {
  private readonly items: Job[] = [];

  push(job: Job): void {
    const items = this.items;
    let i = items.push(job) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(job.key, (items[parent] as Job).key)) break;
      items[i] = items[parent] as Job;
      i = parent;
    }
    items[i] = job;
  }

  /** The earliest job still queued. */
  pop(): Job | undefined {
    for (;;) {
      const items = this.items;
      const top = items[0];
      const last = items.pop();
      if (top === undefined || last === undefined) return undefined;
      if (items.length > 0) this.siftDown(last);
      if (top.state === 'queued') return top;
    }
  }

  clear(): void {
    this.items.length = 0;
  }

  private siftDown(job: Job): void {
    const items = this.items;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= items.length) break;
      const right = items[child + 1];
      if (right && before(right.key, (items[child] as Job).key)) child++;
      if (!before((items[child] as Job).key, job.key)) break;
      items[i] = items[child] as Job;
      i = child;
    }
    items[i] = job;
  }
}

/** Whether walk position a comes before b (lexicographic; a prefix comes first). */
export function before(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length && i < b.length; i++) {
    if (a[i] !== b[i]) return (a[i] as number) < (b[i] as number);
  }
  return a.length < b.length;
}
