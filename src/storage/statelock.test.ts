import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, writeFile, access } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { lockStateDir } from './statelock.js';

t.test('the lock holds our pid and is released', async (t) => {
  const dir = t.testdir();
  const unlock = await lockStateDir(dir);
  t.equal(await readFile(join(dir, 'lock'), 'utf8'), `${process.pid}\n`);
  await t.rejects(lockStateDir(dir), { code: 'locked', message: /already open in this process/ });
  await unlock();
  await t.rejects(access(join(dir, 'lock')));
});

t.test('a live process owning the lock refuses us', async (t) => {
  const child = spawn('sleep', ['30']);
  t.teardown(() => child.kill());
  const dir = t.testdir({ lock: `${child.pid}\n` });
  await t.rejects(lockStateDir(dir), {
    code: 'locked',
    message: new RegExp(`in use by process ${child.pid}`),
  });
});

t.test('a dead owner leaves a stale lock that is taken over', async (t) => {
  const child = spawn('true');
  await once(child, 'exit');
  const dir = t.testdir();
  await writeFile(join(dir, 'lock'), `${child.pid}\n`);
  const unlock = await lockStateDir(dir);
  t.equal(await readFile(join(dir, 'lock'), 'utf8'), `${process.pid}\n`);
  await unlock();
});
