// Watches a volume's data directory and reports settled changes: a burst of writes to one file is
// one event once it has been quiet for `settleMs` (at most `maxDelayMs` after the first write: 300 ms
// keeps a steady stream of writes under a second behind; see docs/benchmarks.md).
// chokidar (inotify through fs.watch, one watch per directory, new directories watched as they
// appear) says which paths were touched; reconcile.ts decides what happened. @parcel/watcher was
// tried first: it missed files written into directories made a moment earlier and kept stale names
// after a directory moved.

import { lstat } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { DvolError } from '../errors.js';
import type { FileEvent } from './events.js';
import { indexTree, reconcile, type EntryIndex } from './reconcile.js';

export interface WatchOptions {
  /** Quiet time after the last touch of a batch before it is reported. */
  settleMs?: number;
  /** The longest a touched path waits, however busy the directory stays. */
  maxDelayMs?: number;
  /** Called when the watch fails (the inotify limit, the directory gone); the watch stops. */
  onError?: (err: DvolError) => void;
}

export interface DataWatch {
  /** Stops watching; pending changes are reported first. */
  close(): Promise<void>;
  /** Resolves once every change touched so far has been reported. */
  flush(): Promise<void>;
}

/** The one sentence for a watch that the kernel refused (usually the per-user inotify limit). */
export function watchError(root: string, err: unknown): DvolError {
  const detail = err instanceof Error ? err.message : String(err);
  if (/no space left|ENOSPC|inotify_add_watch|too many/i.test(detail)) {
    return new DvolError(
      'no_space',
      `cannot watch ${root}: the kernel's inotify watch limit is reached (${detail})`,
      'raise it with `sysctl fs.inotify.max_user_watches=1048576` (and in /etc/sysctl.d to keep it)',
      { cause: err },
    );
  }
  return new DvolError('internal', `cannot watch ${root}: ${detail}`, undefined, { cause: err });
}

function toRelative(root: string, abs: string): string | undefined {
  const rel = relative(root, abs);
  if (rel === '' || rel.startsWith('..')) return undefined;
  return sep === '/' ? rel : rel.split(sep).join('/');
}

/** Starts watching `root`; resolves once the watch is in place (changes after that are seen). */
export async function watchData(
  root: string,
  onEvents: (events: FileEvent[]) => void | Promise<void>,
  options: WatchOptions = {},
): Promise<DataWatch> {
  const settleMs = options.settleMs ?? 100;
  const maxDelayMs = options.maxDelayMs ?? 300;
  const pending = new Set<string>();
  let firstPendingAt = 0;
  let timer: NodeJS.Timeout | undefined;
  let chain: Promise<void> = Promise.resolve();
  let index: EntryIndex | undefined;

  const run = () => {
    timer = undefined;
    const touched = [...pending];
    pending.clear();
    chain = chain.then(async () => {
      if (index === undefined || touched.length === 0) return;
      const events = await reconcile(root, index, touched);
      if (events.length > 0) await onEvents(events);
    });
    chain = chain.catch((err: unknown) => options.onError?.(watchError(root, err)));
  };
  const schedule = () => {
    const now = Date.now();
    if (pending.size === 0) firstPendingAt = now;
    if (timer !== undefined) clearTimeout(timer);
    const wait = Math.max(0, Math.min(settleMs, firstPendingAt + maxDelayMs - now));
    timer = setTimeout(run, wait);
  };

  const touch = (abs: string) => {
    const rel = toRelative(root, abs);
    if (rel === undefined) return;
    schedule();
    pending.add(rel);
  };
  let fsWatcher: FSWatcher;
  const rootState = await lstat(root).catch((err: unknown) => {
    throw new DvolError('not_found', `cannot watch ${root}: it does not exist`, undefined, { cause: err });
  });
  if (!rootState.isDirectory()) throw new DvolError('invalid', `cannot watch ${root}: it is not a directory`);
  try {
    // Watch before indexing, so nothing that changes while the index is built is missed: such a
    // path is touched, and reconcile compares it with the finished index.
    fsWatcher = watch(root, { ignoreInitial: true, followSymlinks: false, persistent: true, atomic: false });
    fsWatcher.on('all', (_event, abs) => touch(abs));
    await new Promise<void>((resolve, reject) => {
      fsWatcher.once('ready', resolve);
      fsWatcher.once('error', reject);
    });
    fsWatcher.on('error', (err) => options.onError?.(watchError(root, err)));
    index = await indexTree(root);
  } catch (err) {
    throw watchError(root, err);
  }
  const flush = async () => {
    if (timer !== undefined) {
      clearTimeout(timer);
      run();
    }
    await chain;
  };
  return {
    flush,
    async close() {
      await fsWatcher.close();
      await flush();
    },
  };
}
