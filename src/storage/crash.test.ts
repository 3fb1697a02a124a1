// Crash safety: a child process runs commit, reset --hard or checkout -b and is killed with SIGKILL
// at named crash points and at random instants; the store must then open clean (fsck) and be exactly
// in the state before or after the operation.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import type { Store } from './model.js';
import { openStore } from './store.js';
import { commitFile } from './store.testkit.js';

// Each run reopens a store and the copy driver flushes with syncfs: slow when the disk is busy.
t.setTimeout(900_000);

const CHILD = fileURLToPath(new URL('./crashchild.testkit.ts', import.meta.url));

type Op = 'commit' | 'reset' | 'checkout-b';

/** The observable state of volume 'vol': refs, commits, working data, dirtiness. */
interface State {
  active: string;
  branches: Record<string, string | null>;
  commits: string[];
  files: Record<string, string>;
  dirty: boolean;
}

async function observe(store: Store): Promise<State> {
  const vol = store.volume('vol');
  const dir = await vol.dataPath();
  const files: Record<string, string> = {};
  for (const name of (await readdir(dir)).sort()) files[name] = await readFile(join(dir, name), 'utf8');
  const commits = new Set<string>();
  for (const b of await vol.branches()) if (b.head) for (const c of await vol.log(b.name)) commits.add(c.id);
  const status = await vol.status();
  return {
    active: status.branch,
    branches: Object.fromEntries((await vol.branches()).map((b) => [b.name, b.head])),
    commits: [...commits].sort(),
    files,
    dirty: status.dirty,
  };
}

/** Builds the starting store for `op` (two commits, plus whatever the op starts from) and its state. */
async function prepare(root: string, op: Op): Promise<State> {
  const store = await openStore(root, { defaultDriver: 'plain' });
  try {
    await store.createVolume('vol');
    const vol = store.volume('vol');
    const dir = await vol.dataPath();
    // Some bulk so the copies take long enough for random kills to land inside them.
    for (let i = 0; i < 2; i++) await writeFile(join(dir, `bulk${i}`), Buffer.alloc(1 << 20, i + 1));
    await commitFile(vol, 'f', '1');
    await commitFile(vol, 'f', '2');
    if (op === 'commit') await writeFile(join(dir, 'f'), 'after');
    if (op === 'reset') await writeFile(join(dir, 'f'), 'dirty');
    return await observe(store);
  } finally {
    await store.close();
  }
}

/** What the state must be once `op` completed from `before`; commit ids made by the op are unknown. */
function after(op: Op, before: State, now: State): boolean {
  const master = before.branches.master!;
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  if (op === 'commit') {
    const head = now.branches.master!;
    return (
      head !== master &&
      same(now.commits, [...before.commits, head].sort()) &&
      same(now.files, before.files) &&
      !now.dirty
    );
  }
  if (op === 'reset') {
    const parent = before.commits.find((c) => c !== master)!;
    return (
      same(now.branches, { master: parent }) &&
      same(now.commits, [parent]) &&
      now.files.f === '1' &&
      !now.dirty
    );
  }
  return (
    now.active === 'new' &&
    same(now.branches, { ...before.branches, new: master }) &&
    same(now.commits, before.commits) &&
    same(now.files, before.files) &&
    !now.dirty
  );
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

/** Opens the store after the child ended, checks fsck and returns 'before' or 'after'. */
async function inspect(t: Test, root: string, op: Op, before: State): Promise<'before' | 'after'> {
  const store = await openStore(root, { defaultDriver: 'plain' });
  try {
    t.same(await store.fsck(), [], 'fsck is clean after reopening');
    t.same(await readdir(join(root, 'tmp')), [], 'no temp leftovers');
    const now = await observe(store);
    if (JSON.stringify(now) === JSON.stringify(before)) return 'before';
    t.ok(after(op, before, now), `the state is exactly 'after': ${JSON.stringify(now)}`);
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
  for (const op of ['commit', 'reset', 'checkout-b'] as const) {
    const root = join(t.testdir(), op);
    const before = await prepare(root, op);
    const run = await runChild(root, op);
    t.match(run, { code: 0, done: true }, `${op} completed in ${run.ms} ms`);
    t.equal(await inspect(t, root, op, before), 'after', op);
    for (let i = 0; i < 2; i++) {
      const root = join(t.testdir(), `${op}-${i}`);
      const before = await prepare(root, op);
      await runChild(root, op, undefined, Math.floor(Math.random() * run.ms));
      const state = await inspect(t, root, op, before);
      seen[`${op} ${state}`] = (seen[`${op} ${state}`] ?? 0) + 1;
    }
  }
  t.comment(`outcomes: ${JSON.stringify(seen)}`);
});
