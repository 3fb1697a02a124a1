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

t.test('a zombie owner holds nothing: its lock is taken over', async (t) => {
  // The background sleep exits after its parent has become `sleep 30` (exec), which never reaps it: a zombie.
  const parent = spawn('bash', ['-c', 'sleep 0.2 & echo $!; exec sleep 30'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  t.teardown(() => parent.kill());
  const pid = Number((await once(parent.stdout, 'data'))[0].toString());
  let stat = '';
  for (let i = 0; i < 300 && !/\) Z /.test(stat); i++) {
    await new Promise((r) => setTimeout(r, 10));
    stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  }
  t.match(stat, /\) Z /, `process ${pid} is a zombie`);
  const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  const dir = t.testdir({ lock: `${pid} ${start}\n` });
  const unlock = await lockStateDir(dir);
  t.match(await readFile(join(dir, 'lock'), 'utf8'), new RegExp(`^${process.pid} `));
  await unlock();
});

t.test('two opens at once in one process: exactly one gets the lock', async (t) => {
  const dir = t.testdir({ lock: '1 1\n' });
  const results = await Promise.allSettled([lockStateDir(dir), lockStateDir(dir)]);
  t.same(
    results.map((r) => r.status),
    ['fulfilled', 'rejected'],
  );
  t.match((results[1] as PromiseRejectedResult).reason, { code: 'locked' });
  await (results[0] as PromiseFulfilledResult<() => Promise<void>>).value();
});

/** A process that takes the lock of DIR when told "go" on stdin, says what happened, and holds it until stdin ends. */
const STARTER = `
import { lockStateDir } from ${JSON.stringify(new URL('./statelock.ts', import.meta.url).pathname)};
const dir = process.argv[1];
process.stdout.write('ready\\n');
process.stdin.once('data', async () => {
  try {
    const unlock = await lockStateDir(dir);
    process.stdout.write('locked\\n');
    process.stdin.once('end', () => unlock());
  } catch (err) {
    process.stdout.write('refused ' + err.code + '\\n');
  }
});
`;

t.test(
  'starters racing for a stale lock: exactly one wins, and the others are refused while it lives',
  async (t) => {
    for (let round = 0; round < 2; round++) {
      const dir = t.testdir({ lock: '1 1\n' });
      const children = Array.from({ length: 4 }, () =>
        spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', STARTER, dir], {
          stdio: ['pipe', 'pipe', 'inherit'],
        }),
      );
      t.teardown(() => children.forEach((c) => c.kill()));
      const lines = children.map((c) => {
        const out: string[] = [];
        c.stdout.on('data', (b: Buffer) => out.push(...b.toString().trim().split('\n')));
        return out;
      });
      const said = async (i: number, n: number) => {
        while (lines[i]!.length < n) await new Promise((r) => setTimeout(r, 10));
        return lines[i]![n - 1];
      };
      for (let i = 0; i < children.length; i++) await said(i, 1);
      children.forEach((c) => c.stdin.write('go\n'));
      const outcomes = await Promise.all(children.map((_, i) => said(i, 2)));
      t.equal(
        outcomes.filter((o) => o === 'locked').length,
        1,
        `round ${round}: one winner among ${outcomes.join(', ')}`,
      );
      t.equal(outcomes.filter((o) => o === 'refused locked').length, children.length - 1);
      await t.rejects(lockStateDir(dir), { code: 'locked', message: /in use by process \d+/ });
      const winner = children[outcomes.indexOf('locked')]!;
      winner.stdin.end();
      await once(winner, 'exit');
      const unlock = await lockStateDir(dir);
      await unlock();
    }
  },
);

t.test('a SIGKILLed owner leaves the lock to the next starter at once', async (t) => {
  const dir = t.testdir();
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', STARTER, dir], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const out: string[] = [];
  child.stdout.on('data', (b: Buffer) => out.push(...b.toString().trim().split('\n')));
  while (out.length < 1) await new Promise((r) => setTimeout(r, 10));
  child.stdin.write('go\n');
  while (out.length < 2) await new Promise((r) => setTimeout(r, 10));
  t.equal(out[1], 'locked');
  await t.rejects(lockStateDir(dir), { code: 'locked', message: new RegExp(`process ${child.pid}`) });
  child.kill('SIGKILL');
  await once(child, 'exit');
  const unlock = await lockStateDir(dir);
  t.match(await readFile(join(dir, 'lock'), 'utf8'), new RegExp(`^${process.pid} `));
  await unlock();
});
