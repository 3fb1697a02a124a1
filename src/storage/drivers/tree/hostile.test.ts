// A container swapping files of its volume for a FIFO or a symlink while dvol compares them: the dirty
// check and the diff must return promptly and must never read through the symlink. Real swaps: a
// child process exchanging two names with renameat2(RENAME_EXCHANGE) in a loop, and renames between
// an lstat and the read.

import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import type { Test } from 'tap';

import type { Volume } from '../../model.js';
import { assertClean, AUTHOR, openTestStore } from '../../store.testkit.js';
import { sameContent } from './content.js';

/** How long each comparison may take; a blocked open never returns at all. */
const PROMPT_MS = 5000;
/** How long the swapping runs against repeated comparisons. */
const SWAP_MS = 3000;

/** Pairs of entries swapped at once: each comparison round then has this many chances to hit the race. */
const PAIRS = 20;

/**
 * Exchanges DIR/fNN with DIR/oNN atomically, pair after pair, over and over until killed (what a
 * hostile container can do).
 */
const EXCHANGE_LOOP = `
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
d, n = sys.argv[1], int(sys.argv[2])
pairs = [(os.path.join(d, 'f%02d' % i).encode(), os.path.join(d, 'o%02d' % i).encode()) for i in range(n)]
print('ready', flush=True)
while True:
    for a, b in pairs:
        if libc.renameat2(-100, a, -100, b, 2) != 0:
            sys.exit('renameat2: errno %d' % ctypes.get_errno())
`;

/** Starts the exchange loop; resolves to a function that stops it (also run at teardown). */
async function startSwapping(t: Test, dir: string): Promise<() => void> {
  const child = spawn('python3', ['-c', EXCHANGE_LOOP, dir, `${PAIRS}`], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const stop = () => child.kill('SIGKILL');
  t.teardown(stop);
  await new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`the swapping process exited with ${code}`)));
  });
  return stop;
}

/**
 * Unblocks any thread stuck opening one of `dir`'s FIFOs for reading (as the old code was), by
 * opening it for writing once: so a failing test fails instead of hanging the test process.
 */
function releaseFifoReaders(dir: string): void {
  for (const name of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    const p = path.join(dir, name);
    if (!fs.lstatSync(p).isFIFO()) continue;
    try {
      fs.closeSync(fs.openSync(p, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK));
    } catch {
      // ENXIO: nobody is reading it.
    }
  }
}

/** `work`, or a rejection once it takes longer than PROMPT_MS; `onStuck` then frees what it blocks on. */
async function prompt<T>(what: string, work: Promise<T>, onStuck = () => {}): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onStuck();
      reject(new Error(`${what} took more than ${PROMPT_MS} ms`));
    }, PROMPT_MS);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs the dirty check and a whole diff again and again while the swapping goes on. */
async function compareRepeatedly(t: Test, vol: Volume, onStuck: () => void): Promise<number> {
  let rounds = 0;
  for (const end = Date.now() + SWAP_MS; Date.now() < end; rounds++) {
    await prompt('the dirty check', vol.status(), onStuck);
    const diff = (async () => {
      for await (const entry of (await vol.diff()).entries) void entry;
    })();
    await prompt('a diff', diff, onStuck);
  }
  t.ok(rounds >= 2, `${rounds} rounds of status and diff returned promptly while the files were swapped`);
  return rounds;
}

/** A volume (its store under `base`) whose commit holds PAIRS regular files fNN, each beside an oNN made by `makeOther`. */
async function volumeWith(t: Test, base: string, makeOther: (p: string) => void) {
  const store = await openTestStore(t, { root: path.join(base, 'state') });
  await store.createVolume('vol');
  const vol = store.volume('vol');
  const dir = await vol.dataPath();
  for (let i = 0; i < PAIRS; i++) {
    const nn = `${i}`.padStart(2, '0');
    fs.writeFileSync(path.join(dir, `f${nn}`), 'the data of f\n');
    makeOther(path.join(dir, `o${nn}`));
  }
  await vol.commit({ message: 'files and others', author: AUTHOR });
  t.teardown(() => releaseFifoReaders(dir));
  return { store, vol, dir };
}

/** A host file (outside every volume) whose atime shows any read of it: relatime updates an atime older than the mtime. */
function hostFile(t: Test, base: string, content: string): { file: string; readSinceSetup: () => boolean } {
  fs.mkdirSync(path.join(base, 'host'));
  const file = path.join(base, 'host', 'secret');
  fs.writeFileSync(file, content);
  fs.utimesSync(file, 0, new Date());
  const before = fs.statSync(file).atimeMs;
  fs.readFileSync(file);
  const check = fs.statSync(file).atimeMs !== before;
  fs.utimesSync(file, 0, new Date());
  if (!check) t.fail('this filesystem does not record reads in atime, so the test cannot see one');
  return { file, readSinceSetup: () => fs.statSync(file).atimeMs !== 0 };
}

t.test('a FIFO exchanged with a file in a loop never blocks the dirty check or the diff', async (t) => {
  const { store, vol, dir } = await volumeWith(t, t.testdir(), (p) => execFileSync('mkfifo', [p]));
  const stop = await startSwapping(t, dir);
  await compareRepeatedly(t, vol, () => {
    stop();
    setTimeout(() => releaseFifoReaders(dir), 100);
  });
  stop();
  releaseFifoReaders(dir);
  await assertClean(t, store, 'with the FIFO in the volume');
});

t.test('a symlink to a host file exchanged with a file in a loop is never read through', async (t) => {
  const base = t.testdir();
  const host = hostFile(t, base, 'the data of f\n');
  const { store, vol, dir } = await volumeWith(t, base, (p) => fs.symlinkSync(host.file, p));
  const stop = await startSwapping(t, dir);
  await compareRepeatedly(t, vol, stop);
  stop();
  t.notOk(host.readSinceSetup(), 'the host file was never read');
  await assertClean(t, store);
});

t.test('sameContent: an entry replaced after its lstat is a difference, never opened', async (t) => {
  const base = t.testdir({
    tree: { a: 'same bytes', b: 'same bytes', fifo: '', dir: { inner: 'same bytes' } },
  });
  const root = path.join(base, 'tree');
  const host = hostFile(t, base, 'same bytes');
  const ref = (p: string) => ({ root, path: p, stat: fs.lstatSync(path.join(root, p), { bigint: true }) });
  t.equal(await sameContent(ref('a'), ref('b')), true, 'equal files compare equal');
  t.equal(await sameContent(ref('dir/inner'), ref('b')), true, 'a file in a subdirectory is reached');

  const fifo = path.join(root, 'fifo');
  fs.rmSync(fifo);
  execFileSync('mkfifo', [fifo]);
  t.teardown(() => releaseFifoReaders(root));
  const a = ref('a');
  fs.renameSync(fifo, path.join(root, 'a'));
  t.equal(await prompt('comparing a FIFO', sameContent(a, ref('b'))), false, 'a FIFO renamed over it');

  const b = ref('b');
  fs.symlinkSync(host.file, path.join(root, 'link'));
  fs.renameSync(path.join(root, 'link'), path.join(root, 'b'));
  t.equal(await sameContent(ref('dir/inner'), b), false, 'a symlink renamed over it');

  const inner = ref('dir/inner');
  fs.renameSync(path.join(root, 'dir'), path.join(root, 'real-dir'));
  fs.symlinkSync(path.dirname(host.file), path.join(root, 'dir'));
  fs.writeFileSync(path.join(path.dirname(host.file), 'inner'), 'same bytes');
  fs.utimesSync(path.join(path.dirname(host.file), 'inner'), 0, new Date());
  t.equal(await sameContent(inner, ref('real-dir/inner')), false, 'a symlink swapped in for a directory');
  t.equal(fs.statSync(path.join(path.dirname(host.file), 'inner')).atimeMs, 0, 'not read through it');
  t.notOk(host.readSinceSetup(), 'the host file was never read');

  fs.rmSync(path.join(root, 'real-dir', 'inner'));
  t.equal(await sameContent(ref('a'), { ...inner, path: 'real-dir/inner' }), false, 'a vanished file');
});
