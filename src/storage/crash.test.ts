// Crash safety: a child process runs one operation and is killed with SIGKILL at named crash points
// and at random instants; the store must then open clean (fsck) and be exactly in the state before
// or after the operation.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import type { Op } from './crashchild.testkit.js';
import type { Store } from './model.js';
import { openStore } from './store.js';
import { commitFile } from './store.testkit.js';

// Each run reopens a store and the copy driver flushes with syncfs: slow when the disk is busy.
t.setTimeout(900_000);

/** Random kills per operation; raise it (DVOL_CRASH_RUNS=20) for a longer soak. */
const RANDOM_RUNS = Number(process.env.DVOL_CRASH_RUNS ?? 2);

const CHILD = fileURLToPath(new URL('./crashchild.testkit.ts', import.meta.url));

/** The observable state of one volume: refs, commits, deleted data, working data, dirtiness. */
interface VolumeState {
  active: string;
  branches: Record<string, string | null>;
  commits: string[];
  deleted: string[];
  files: Record<string, string>;
  dirty: boolean;
  /** Scheduled snapshots, newest first. */
  snapshots: string[];
}
type State = Record<string, VolumeState>;

async function observe(store: Store): Promise<State> {
  const state: State = {};
  for (const { name } of await store.listVolumes()) {
    const vol = store.volume(name);
    const dir = await vol.dataPath();
    const files: Record<string, string> = {};
    for (const f of (await readdir(dir)).sort()) files[f] = await readFile(join(dir, f), 'utf8');
    const commits = new Map<string, boolean>();
    const branches = await vol.branches();
    for (const b of branches) {
      if (b.head) for (const c of await vol.log(b.name)) commits.set(c.id, c.dataDeleted ?? false);
    }
    const status = await vol.status();
    state[name] = {
      active: status.branch,
      branches: Object.fromEntries(branches.map((b) => [b.name, b.head])),
      commits: [...commits.keys()].sort(),
      deleted: [...commits].filter(([, d]) => d).map(([id]) => id),
      files,
      dirty: status.dirty,
      snapshots: (await vol.snapshots()).map((s) => s.commit.id),
    };
  }
  return state;
}

/** Volume 'vol' with commits c1, c2 on master (plus what `op` starts from); resolves to the state. */
async function prepare(root: string, op: Op): Promise<State> {
  const store = await openStore(root, { defaultDriver: 'plain' });
  try {
    await store.createVolume('vol');
    const vol = store.volume('vol');
    const dir = await vol.dataPath();
    // Some bulk so the copies take long enough for random kills to land inside them.
    for (let i = 0; i < 2; i++) await writeFile(join(dir, `bulk${i}`), Buffer.alloc(1 << 20, i + 1));
    await commitFile(vol, 'f', '1');
    if (op === 'branch-d') {
      await vol.createBranch('side');
      await commitFile(vol, 'f', 'side');
      await vol.checkout('master');
    }
    await commitFile(vol, 'f', '2');
    if (op === 'commit') await writeFile(join(dir, 'f'), 'after');
    if (op === 'reset') await writeFile(join(dir, 'f'), 'dirty');
    if (op === 'snapshot') await writeFile(join(dir, 'f'), 'scheduled');
    if (op === 'prune') {
      for (const [i, at] of [Date.now() - 2000, Date.now() - 1000].entries()) {
        await writeFile(join(dir, 'f'), `s${i}`);
        await vol.snapshot({ message: 'scheduled', author: 'dvol scheduler <s@dvol>', date: new Date(at) });
      }
    }
    return await observe(store);
  } finally {
    await store.close();
  }
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Whether `now` is exactly the state `op` leaves from `before` (ids a commit makes are unknown). */
function isAfter(op: Op, before: State, now: State): boolean {
  const was = before.vol!;
  const vol = now.vol;
  const master = was.branches.master!;
  const c1 = was.commits.find((c) => c !== master && !Object.values(was.branches).includes(c))!;
  switch (op) {
    case 'commit': {
      const head = vol?.branches.master;
      return (
        !!vol &&
        !!head &&
        head !== master &&
        same(vol, {
          ...was,
          branches: { master: head },
          commits: [...was.commits, head].sort(),
          dirty: false,
        })
      );
    }
    case 'reset':
      return same(vol, {
        ...was,
        branches: { master: c1 },
        commits: [c1],
        files: { ...was.files, f: '1' },
        dirty: false,
      });
    case 'checkout-b':
      return same(vol, { ...was, active: 'new', branches: { ...was.branches, new: master } });
    case 'branch-d': {
      const side = was.branches.side!;
      return same(vol, { ...was, branches: { master }, commits: was.commits.filter((c) => c !== side) });
    }
    case 'commit-rm':
      return same(vol, { ...was, deleted: [c1] });
    case 'create':
      return same(now, {
        ...before,
        vol2: {
          active: 'master',
          branches: { master: null },
          commits: [],
          deleted: [],
          files: {},
          dirty: false,
          snapshots: [],
        },
      });
    case 'rm':
      return same(now, {});
    case 'snapshot':
      return (
        !!vol &&
        vol.snapshots.length === was.snapshots.length + 1 &&
        same(vol, { ...was, snapshots: vol.snapshots })
      );
    case 'prune':
      return same(vol, { ...was, snapshots: was.snapshots.slice(0, 1) });
  }
}

/** Runs the child; kills it `killAfterMs` after it says ready (if given). Resolves to how it ended and
 * how long it ran after ready. */
async function runChild(root: string, op: Op, crashAt?: string, killAfterMs?: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, root, op], {
    env: { ...process.env, DVOL_CRASH_AT: crashAt ?? '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  let ready = 0;
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    if (!ready && out.includes('ready')) ready = Date.now();
    if (killAfterMs !== undefined && out.includes('ready')) {
      setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      killAfterMs = undefined;
    }
  });
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  return { code, signal, done: out.includes('done'), ms: Date.now() - ready };
}

/** The state for a message: file contents shortened (the bulk files are a MiB each). */
function brief(state: State): string {
  return JSON.stringify(state, (_key, value: unknown) =>
    typeof value === 'string' && value.length > 40 ? `${value.slice(0, 8)}...(${value.length} chars)` : value,
  );
}

/** Opens the store after the child ended, checks fsck and returns 'before' or 'after'. */
async function inspect(t: Test, root: string, op: Op, before: State): Promise<'before' | 'after'> {
  const store = await openStore(root, { defaultDriver: 'plain' });
  try {
    t.same(await store.fsck(), [], 'fsck is clean after reopening');
    t.same(await readdir(join(root, 'tmp')), [], 'no temp leftovers');
    t.same(await readdir(join(root, 'trash')), [], 'no removed volume left in the trash');
    const now = await observe(store);
    if (same(now, before)) return 'before';
    t.ok(isAfter(op, before, now), `the state is exactly 'after': ${brief(now)}`);
    return 'after';
  } finally {
    await store.close();
  }
}

const NAMED: [Op, string, 'before' | 'after'][] = [
  ['commit', 'commit:after-snapshot', 'before'],
  ['commit', 'commit:after-record', 'before'],
  ['commit', 'commit:after-ref', 'after'],
  ['reset', 'reset:after-journal', 'after'],
  ['reset', 'reset:after-data', 'after'],
  ['reset', 'reset:after-ref', 'after'],
  ['reset', 'reset:after-gc', 'after'],
  ['checkout-b', 'checkout-b:after-data', 'before'],
  ['checkout-b', 'checkout-b:after-ref', 'after'],
  ['branch-d', 'branch-d:after-ref', 'after'],
  ['commit-rm', 'commit-rm:after-record', 'after'],
  ['create', 'create:after-record', 'after'],
  ['rm', 'rm:after-rename', 'after'],
  ['snapshot', 'snapshot:after-data', 'before'],
  ['snapshot', 'snapshot:after-record', 'before'],
  ['prune', 'prune:after-ref', 'after'],
];

t.test('named crash points', async (t) => {
  for (const [op, point, expected] of NAMED) {
    await t.test(point, async (t) => {
      const root = join(t.testdir(), 'state');
      const before = await prepare(root, op);
      const ended = await runChild(root, op, point);
      t.equal(ended.signal, 'SIGKILL', 'the child died at the crash point');
      t.equal(await inspect(t, root, op, before), expected);
    });
  }
});

t.test('uninterrupted runs end after; kills at random instants within their duration', async (t) => {
  const seen: Record<string, number> = {};
  for (const op of ['commit', 'reset', 'checkout-b', 'snapshot', 'prune'] as const) {
    const root = join(t.testdir(), op);
    const before = await prepare(root, op);
    const run = await runChild(root, op);
    t.match(run, { code: 0, done: true }, `${op} completed in ${run.ms} ms`);
    t.equal(await inspect(t, root, op, before), 'after', op);
    for (let i = 0; i < RANDOM_RUNS; i++) {
      const root = join(t.testdir(), `${op}-${i}`);
      const before = await prepare(root, op);
      await runChild(root, op, undefined, Math.floor(Math.random() * run.ms));
      const state = await inspect(t, root, op, before);
      seen[`${op} ${state}`] = (seen[`${op} ${state}`] ?? 0) + 1;
    }
  }
  t.comment(`outcomes: ${JSON.stringify(seen)}`);
});
