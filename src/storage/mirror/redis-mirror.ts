// Mirrors a volume's files into Redis: key = prefix + path relative to the volume's root, value =
// the file's bytes. Watch events are applied as they come; a full sync runs at start, after every
// change of the data underneath (reset, checkout, pull) and after Redis comes back, so Redis always
// ends up matching what containers see. The mirror owns every key under its prefix.

import { join } from 'node:path';
import { createClient } from '@redis/client';
import { asDvolError } from '../errors.js';
import { walkBelow } from '../watch/entries.js';
import type { FileEvent } from '../watch/events.js';
import { readMirroredFile } from './read-file.js';
import { prefixPattern, type RedisTarget } from './target.js';

export type MirrorState = 'starting' | 'syncing' | 'live' | 'retrying' | 'stopped';

export interface MirrorStatus {
  state: MirrorState;
  target: string;
  prefix: string;
  /** Keys written by the last full sync and the events since. */
  keys: number;
  /** Files left out (too large, not regular) in the last full sync. */
  skipped: number;
  lastSyncAt?: string;
  lastError?: string;
  /** When the next retry is due, while retrying. */
  retryAt?: string;
}

export interface MirrorOptions {
  /** Files larger than this are not mirrored (Redis allows 512 MB per value). */
  maxValueBytes?: number;
  /** The first and the longest wait between retries while Redis is down. */
  retryMinMs?: number;
  retryMaxMs?: number;
  log?: (message: string) => void;
}

const BATCH = 64;

/** A client that fails fast: our own retry loop reconnects (with a full sync), it never queues. */
function newClient(url: string) {
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: { reconnectStrategy: false, connectTimeout: 5000 },
  });
  // Errors reach us through the failed command; an unhandled 'error' event would end the process.
  client.on('error', () => undefined);
  return client;
}
type Client = ReturnType<typeof newClient>;

export class RedisMirror {
  #root: string;
  readonly #target: RedisTarget;
  readonly #limit: number;
  readonly #retryMin: number;
  readonly #retryMax: number;
  readonly #log: (message: string) => void;
  #client: Client | undefined;
  #chain: Promise<void> = Promise.resolve();
  #status: MirrorStatus;
  #retryTimer: NodeJS.Timeout | undefined;
  #retryDelay: number;
  #closed = false;

  constructor(root: string, target: RedisTarget, options: MirrorOptions = {}) {
    this.#root = root;
    this.#target = target;
    this.#limit = options.maxValueBytes ?? 16 * 1024 * 1024;
    this.#retryMin = options.retryMinMs ?? 500;
    this.#retryMax = options.retryMaxMs ?? 30_000;
    this.#retryDelay = this.#retryMin;
    this.#log = options.log ?? (() => undefined);
    this.#status = { state: 'starting', target: target.display, prefix: target.prefix, keys: 0, skipped: 0 };
  }

  /** Where the data is now (a checkout moves it); call resync() after. */
  setRoot(root: string): void {
    this.#root = root;
  }

  status(): MirrorStatus {
    return { ...this.#status };
  }

  /** Connects and makes the first full sync; when Redis is down it keeps retrying in the background. */
  async start(): Promise<void> {
    await this.resync();
  }

  /** A full sync, queued after what is running; resolves when it has been tried. */
  resync(): Promise<void> {
    return this.#enqueue(() => this.#fullSync());
  }

  /** Applies watch events in order; while Redis is down they are dropped and the retry's sync covers them. */
  apply(events: FileEvent[]): Promise<void> {
    return this.#enqueue(async () => {
      if (this.#status.state !== 'live') return;
      const client = await this.#connected();
      // Writes of different files go out together (pipelined); a deletion or a rename waits for
      // what came before it and is waited for, so the order of events on one key is kept.
      let writes: FileEvent[] = [];
      const flushWrites = async () => {
        for (let i = 0; i < writes.length; i += BATCH) {
          await Promise.all(writes.slice(i, i + BATCH).map((e) => this.#applyOne(client, e)));
        }
        writes = [];
      };
      const pendingPaths = new Set<string>();
      for (const event of events) {
        const isWrite = event.type === 'created' || event.type === 'modified';
        if (isWrite && !pendingPaths.has(event.path)) {
          writes.push(event);
          pendingPaths.add(event.path);
          continue;
        }
        await flushWrites();
        pendingPaths.clear();
        await this.#applyOne(client, event);
      }
      await flushWrites();
    });
  }

  /** Waits for everything queued so far. */
  async idle(): Promise<void> {
    await this.#chain;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    await this.#chain;
    const client = this.#client;
    this.#client = undefined;
    if (client?.isOpen) await client.close().catch(() => client.destroy());
    this.#status.state = 'stopped';
  }

  #enqueue(step: () => Promise<void>): Promise<void> {
    const run = this.#chain.then(async () => {
      if (this.#closed) return;
      try {
        await step();
      } catch (err) {
        this.#failed(err);
      }
    });
    this.#chain = run;
    return run;
  }

  #failed(err: unknown): void {
    const message = asDvolError(err, `mirroring to ${this.#target.display}`).message.replaceAll(
      this.#target.url,
      this.#target.display,
    );
    this.#status.state = 'retrying';
    this.#status.lastError = message;
    this.#log(`mirror ${this.#target.display}: ${message}; retrying in ${this.#retryDelay} ms`);
    this.#status.retryAt = new Date(Date.now() + this.#retryDelay).toISOString();
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => void this.resync(), this.#retryDelay);
    this.#retryTimer.unref();
    this.#retryDelay = Math.min(this.#retryDelay * 2, this.#retryMax);
  }

  async #connected(): Promise<Client> {
    if (this.#client?.isReady) return this.#client;
    if (this.#client !== undefined) this.#client.destroy();
    const client = newClient(this.#target.url);
    client.on('end', () => {
      if (!this.#closed && this.#status.state === 'live')
        this.#failed(new Error(`the connection to ${this.#target.display} was closed`));
    });
    this.#client = client;
    await client.connect();
    return client;
  }

  #key(path: string): string {
    return this.#target.prefix + path;
  }

  async #fullSync(): Promise<void> {
    this.#status.state = 'syncing';
    const client = await this.#connected();
    const wanted = new Set<string>();
    let skipped = 0;
    let batch: Promise<unknown>[] = [];
    for await (const [path, st] of walkBelow(this.#root, '')) {
      if (st.kind !== 'file') continue;
      const read = await readMirroredFile(join(this.#root, path), this.#limit);
      if (!read.ok) {
        skipped++;
        this.#log(`mirror ${this.#target.display}: ${path} is not mirrored: ${read.reason}`);
        continue;
      }
      wanted.add(this.#key(path));
      batch.push(client.set(this.#key(path), read.data));
      if (batch.length >= BATCH) batch = await Promise.all(batch).then(() => []);
    }
    await Promise.all(batch);
    for await (const keys of client.scanIterator({ MATCH: prefixPattern(this.#target.prefix), COUNT: 500 })) {
      const stale = keys.filter((k) => !wanted.has(k));
      if (stale.length > 0) await client.del(stale);
    }
    this.#status = {
      ...this.#status,
      state: 'live',
      keys: wanted.size,
      skipped,
      lastSyncAt: new Date().toISOString(),
      retryAt: undefined,
    };
    this.#retryDelay = this.#retryMin;
  }

  async #deleteBelow(client: Client, dir: string): Promise<number> {
    let n = 0;
    for await (const keys of client.scanIterator({
      MATCH: prefixPattern(this.#key(`${dir}/`)),
      COUNT: 500,
    })) {
      if (keys.length > 0) n += await client.del(keys);
    }
    return n;
  }

  async #setFromFile(client: Client, path: string): Promise<void> {
    const read = await readMirroredFile(join(this.#root, path), this.#limit);
    if (read.ok) {
      await client.set(this.#key(path), read.data);
      return;
    }
    // What is there now is not mirrored (too large, a FIFO...): no stale value may stay behind.
    if (read.reason !== 'gone')
      this.#log(`mirror ${this.#target.display}: ${path} is not mirrored: ${read.reason}`);
    await client.del(this.#key(path));
  }

  async #applyOne(client: Client, event: FileEvent): Promise<void> {
    if (event.type === 'deleted') {
      if (event.kind === 'dir') await this.#deleteBelow(client, event.path);
      else await client.del(this.#key(event.path));
      return;
    }
    if (event.type === 'renamed') {
      if (event.kind === 'dir') {
        // Keys move with their directory: re-read the new tree rather than trust the old keys.
        await this.#deleteBelow(client, event.from);
        for await (const [path, st] of walkBelow(this.#root, event.path)) {
          if (st.kind === 'file') await this.#setFromFile(client, path);
        }
        return;
      }
      await client.del(this.#key(event.from));
      await this.#setFromFile(client, event.path);
      return;
    }
    if (event.kind === 'dir') return;
    await this.#setFromFile(client, event.path);
  }
}
