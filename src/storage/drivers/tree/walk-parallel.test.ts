// The parallel walk yields exactly what the sequential walkTree does, in the same order, on the calling
// thread and through workers: odd names, deep nesting, big flat directories, symlinks, entries that
// vanish, errors, and an early stop that leaves the workers idle.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';

import { fingerprint } from './manifest.js';
import { walkTree } from './walk.js';
import { walkFingerprints, type WalkOptions } from './walk-parallel.js';
import { walkPool } from './walk-pool.js';

async function sequential(root: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of walkTree(root)) out.push(`${e.path}|${fingerprint(e.stat)}|${e.target ?? '-'}`);
  return out;
}

async function parallel(root: string, options?: WalkOptions): Promise<string[]> {
  const out: string[] = [];
  for await (const batch of walkFingerprints(root, options)) {
    for (const e of batch) out.push(`${e.path}|${e.fp}|${e.target ?? '-'}`);
  }
  return out;
}

const raw = (dir: string, ...bytes: number[]) => Buffer.concat([Buffer.from(`${dir}/`), Buffer.from(bytes)]);

/** Names that need care, nesting 40 deep, a flat directory of 5000 files (5 chunks), symlinks. */
function makeTree(root: string): void {
  for (const name of ['sp ace', 'new\nline', 'back\\slash', 'a', 'a b', 'a!', 'Z', '~']) {
    fs.writeFileSync(path.join(root, name), name);
  }
  fs.writeFileSync(raw(root, 0x6e, 0xff, 0xfe), 'not utf-8');
  fs.mkdirSync(raw(root, 0xe9, 0x74, 0xe9)); // "été" in latin1: a directory whose name is not UTF-8
  fs.writeFileSync(Buffer.concat([raw(root, 0xe9, 0x74, 0xe9), Buffer.from('/inside')]), 'in');
  let deep = path.join(root, 'deep');
  for (let i = 0; i < 40; i++) {
    deep = path.join(deep, `level ${i}`);
    fs.mkdirSync(deep, { recursive: true });
    fs.writeFileSync(path.join(deep, 'f'), String(i));
  }
  fs.mkdirSync(path.join(root, 'flat'));
  for (let i = 0; i < 5000; i++) fs.writeFileSync(path.join(root, 'flat', `f${i}`), '');
  fs.mkdirSync(path.join(root, 'flat', 'sub'));
  fs.writeFileSync(path.join(root, 'flat', 'sub', 'x'), '');
  fs.symlinkSync('a b', path.join(root, 'link'));
  fs.symlinkSync('/nowhere', path.join(root, 'dangling'));
  fs.symlinkSync(Buffer.from([0x2f, 0xff]), raw(root, 0x6c, 0xff));
  fs.mkdirSync(path.join(root, 'empty'));
}

t.test('the same entries in the same order as walkTree', async (t) => {
  const root = t.testdir();
  makeTree(root);
  const expected = await sequential(root);
  t.ok(expected.length > 5000, `a big tree (${expected.length} entries)`);
  t.same(await parallel(root, { inline: Infinity }), expected, 'all on the calling thread');
  t.same(await parallel(root, { inline: 0 }), expected, 'all through workers');
  t.ok((walkPool()?.workers ?? 1) > 0, 'workers did run');
  t.same(await parallel(root), expected, 'the default: a first part inline, then workers');
  const both = await Promise.all([parallel(root, { inline: 0 }), parallel(root, { inline: 0 })]);
  t.same(both, [expected, expected], 'two walks at once share the workers');
  const link = fingerprint(fs.lstatSync(path.join(root, 'link'), { bigint: true }));
  t.same(await parallel(path.join(root, 'link')), [`|${link}|a b`], 'a symlink root is one entry');
  t.same(await parallel(path.join(root, 'missing')), [], 'a missing root yields nothing');
});

t.test('entries that vanish during the walk are skipped', async (t) => {
  const root = t.testdir();
  fs.mkdirSync(path.join(root, 'big'));
  for (let i = 0; i < 3000; i++)
    fs.writeFileSync(path.join(root, 'big', `f${String(i).padStart(4, '0')}`), '');
  fs.mkdirSync(path.join(root, 'later', 'sub'), { recursive: true });
  fs.writeFileSync(path.join(root, 'later', 'sub', 'x'), '');
  const seen: string[] = [];
  // On the calling thread, each chunk is read when the walk reaches it: deletions land in between.
  for await (const batch of walkFingerprints(root, { inline: Infinity })) {
    if (batch.some((e) => e.path === 'big/f0000')) {
      fs.rmSync(path.join(root, 'big', 'f2000'));
      fs.rmSync(path.join(root, 'later', 'sub'), { recursive: true });
    }
    seen.push(...batch.map((e) => e.path));
  }
  t.ok(seen.includes('big/f1999') && seen.includes('big/f2001'), 'its neighbours are there');
  t.notOk(seen.includes('big/f2000'), 'a file removed after its directory was listed');
  t.ok(seen.includes('later'), 'the directory that was kept');
  t.notOk(seen.includes('later/sub'), 'a directory removed after its parent was listed');
});

t.test('an early stop drops the work not handed out', async (t) => {
  const root = t.testdir();
  for (let i = 0; i < 24; i++) {
    fs.mkdirSync(path.join(root, `d${i}`));
    for (let j = 0; j < 1100; j++) fs.writeFileSync(path.join(root, `d${i}`, `f${j}`), '');
  }
  const pool = walkPool();
  if (!pool) return t.pass('a single CPU: no workers to release');
  const before = pool.answered;
  for await (const batch of walkFingerprints(root, { inline: 0 })) if (batch.length > 100) break;
  const sleep = () => new Promise((r) => setTimeout(r, 20));
  for (let i = 0; i < 100 && pool.load > 0; i++) await sleep();
  t.equal(pool.load, 0, 'the workers finish the tasks they had');
  const answered = pool.answered;
  for (let i = 0; i < 5; i++) await sleep();
  t.equal(pool.answered, answered, 'and get no more');
  t.ok(answered - before < 1 + 24 * 2, `only part of the walk was done (${answered - before} tasks of 49)`);
  const walked = await parallel(root, { inline: 0 });
  t.equal(walked.length, 1 + 24 * 1101, 'the pool serves the next walk');
  await pool.close();
  t.equal(pool.workers, 0, 'closing ends the workers');
  t.equal((await parallel(root, { inline: 0 })).length, walked.length, 'and a later walk starts new ones');
});

t.test('a failure is thrown when the walk reaches it, from workers too', async (t) => {
  // Not t.testdir(): its removal cannot unlink paths this long; the teardown moves them back first.
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dvol-walk-'));
  // A path longer than PATH_MAX: built by moving one deep chain into another, each short enough alone.
  const segment = (c: string) => c.repeat(200);
  const chain = (top: string, c: string) => {
    let p = path.join(root, top);
    for (let i = 0; i < 12; i++) p = path.join(p, segment(c));
    fs.mkdirSync(p, { recursive: true });
    return p;
  };
  const a = chain('a', 'x');
  chain('b', 'y');
  fs.renameSync(path.join(root, 'b'), path.join(a, 'b'));
  t.teardown(() => {
    fs.renameSync(path.join(a, 'b'), path.join(root, 'b'));
    fs.rmSync(root, { recursive: true });
  });
  await t.rejects(sequential(root), { code: 'ENAMETOOLONG' }, 'walkTree fails');
  await t.rejects(parallel(root, { inline: Infinity }), { code: 'ENAMETOOLONG' }, 'inline, the same error');
  await t.rejects(parallel(root, { inline: 0 }), { code: 'ENAMETOOLONG' }, 'from a worker, the same error');
});
