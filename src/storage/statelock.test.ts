import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, writeFile, access } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { lockStateDir } from './statelock.js';

t.test('the lock holds our pid and is released', async (t) => {
  const dir = t.testdir();
  const unlock = await lockStateDir(dir);
  t.match(await readFile(join(dir, 'lock'), 'utf8'), new RegExp(`^${process.pid} \\d+\n$`));
  await t.rejects(lockStateDir(dir), { code: 'locked', message: /already open in this process/ });
  await unlock();
  await t.rejects(access(join(dir, 'lock')));
});

t.test('a live process owning the lock refuses us', async (t) => {
  const child = spawn('sleep', ['30']);
  t.teardown(() => child.kill());
  const stat = await readFile(`/proc/${child.pid}/stat`, 'utf8');
  const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  const dir = t.testdir({ lock: `${child.pid} ${start}\n` });
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
  t.match(await readFile(join(dir, 'lock'), 'utf8'), new RegExp(`^${process.pid} `));
  await unlock();
});

t.test(
  'a lock naming a live pid with another start time is stale (a restarted container reuses pids)',
  async (t) => {
    const dir = t.testdir({ lock: `${process.pid} 1\n` });
    const unlock = await lockStateDir(dir);
    t.match(await readFile(join(dir, 'lock'), 'utf8'), new RegExp(`^${process.pid} \\d+\n$`));
    await unlock();
    const legacy = t.testdir({ lock: `${process.ppid}\n` });
    await (
      await lockStateDir(legacy)
    )();
    t.pass('a lock without a start time is not trusted either');
  },
);
