// Scheduled snapshots in the installed plugin, with seconds-long intervals: snapshots are taken while
// a container runs, skipped when nothing changed, pruned by --keep-last, and the schedule survives a
// plugin disable/enable. The user's own history (log, status) never sees them.
import t, { type Test } from 'tap';
import { docker, dockerResult } from './lib/exec.js';
import { busyboxImage } from './lib/images.js';
import { PLUGIN, waitForPlugin } from './lib/plugin.js';
import { uniqueName } from './lib/names.js';
import { createVolume, runDetached } from './lib/resources.js';
import { SLEEP_UNTIL_STOPPED } from './lib/volumes.js';
import { waitFor } from './lib/wait.js';
import { dockerGroupUser, dvol, dvolOk, fsckClean, setAuthor } from './fixtures/dvol.js';

const busybox = await busyboxImage();
await waitForPlugin();

interface Snapshot {
  commit: { id: string; date: string; author: string; message: string; scheduled?: boolean };
  kept: boolean;
}
interface ScheduleInfo {
  volume: string;
  lastRunAt?: string;
  last?: { result: string; pruned?: number; durationMs?: number };
}

async function snapshots(t: Test, volume: string): Promise<Snapshot[]> {
  return (JSON.parse(await dvolOk(t, 'log', '--scheduled', '--json', volume)) as { snapshots: Snapshot[] })
    .snapshots;
}

async function scheduleOf(t: Test, volume: string): Promise<ScheduleInfo | undefined> {
  const { schedules } = JSON.parse(await dvolOk(t, 'schedule', 'list', '--json')) as {
    schedules: ScheduleInfo[];
  };
  return schedules.find((s) => s.volume === volume);
}

/** Waits for a run that starts after `since` (ISO) and resolves to the schedule after it. */
function runAfter(t: Test, volume: string, since: string): Promise<ScheduleInfo> {
  return waitFor(`a run of ${volume}'s schedule after ${since}`, async () => {
    const s = await scheduleOf(t, volume);
    return s?.lastRunAt !== undefined && s.lastRunAt > since ? s : undefined;
  });
}

t.test('a schedule runs, skips when clean, prunes with --keep-last, survives disable/enable', async (t) => {
  await dockerGroupUser(t);
  await setAuthor(t);
  const volume = await createVolume(t);
  const ctr = await runDetached(t, ['-v', `${volume}:/data`, busybox, ...SLEEP_UNTIL_STOPPED]);
  await docker('exec', ctr, 'sh', '-c', 'echo 0 > /data/counter');
  t.teardown(async () => {
    await dvol('schedule', 'rm', volume);
  });

  const start = new Date().toISOString();
  t.equal(
    await dvolOk(t, 'schedule', 'add', volume, '--every', '2s', '--keep-last', '2'),
    `Scheduled snapshots of ${volume}: every 2s, keep last 2.\n`,
  );
  let s = await runAfter(t, volume, start);
  t.match(s.last, { result: 'taken' }, 'the first snapshot at once, with the container running');
  const first = await snapshots(t, volume);
  t.match(first, [{ commit: { scheduled: true, author: 'dvol scheduler <scheduler@dvol>' }, kept: false }]);
  t.equal(await docker('inspect', '-f', '{{.State.Status}}', ctr), 'running', 'the container runs on');

  s = await runAfter(t, volume, s.lastRunAt!);
  t.match(s.last, { result: 'skipped' }, 'nothing changed: skipped');
  t.equal((await snapshots(t, volume)).length, 1);

  for (let i = 1; i <= 3; i++) {
    await docker('exec', ctr, 'sh', '-c', `echo ${i} > /data/counter`);
    const before = new Date().toISOString();
    s = await waitFor(`snapshot ${i + 1}`, async () => {
      const now = await runAfter(t, volume, before);
      return now.last?.result === 'taken' ? now : undefined;
    });
  }
  const kept = await snapshots(t, volume);
  t.equal(kept.length, 2, '--keep-last 2: the older ones were pruned');
  t.ok(kept[0]!.commit.date > kept[1]!.commit.date, 'newest first');
  t.match(s.last, { pruned: 1 });
  t.match((await dvol('log', volume)).stdout, /has no commits yet/, 'the user history has no snapshot in it');
  await fsckClean(t, 'after scheduled snapshots');

  // A snapshot id is a ref: tag it, and it is kept from retention.
  await dvolOk(t, 'tag', 'snap', kept[1]!.commit.id, volume);
  t.match(await snapshots(t, volume), [{ kept: false }, { kept: true }]);

  // The container goes (a running one pins the volume); the schedule survives the plugin's restart.
  await docker('rm', '-f', ctr);
  await docker('plugin', 'disable', '-f', PLUGIN);
  await docker('plugin', 'enable', PLUGIN);
  await waitForPlugin();
  const after = await scheduleOf(t, volume);
  t.match(after, { volume, lastRunAt: String }, 'the schedule is still there after disable/enable');
  const writer = await runDetached(t, [
    '-v',
    `${volume}:/data`,
    busybox,
    'sh',
    '-c',
    'echo 9 > /data/counter',
  ]);
  await waitFor('the writer to exit', async () => (await dockerResult('wait', writer)).code === 0);
  const since = new Date().toISOString();
  await waitFor('a snapshot after the restart', async () => {
    const now = await runAfter(t, volume, since);
    return now.last?.result === 'taken' ? now : undefined;
  });
  const final = await snapshots(t, volume);
  t.equal(final.length, 3, 'two kept by --keep-last, and the tagged one');
  t.ok(
    final.some((x) => x.kept && x.commit.id === kept[1]!.commit.id),
    'the tagged snapshot outlived its place in --keep-last',
  );
  await dvolOk(t, 'schedule', 'rm', volume);
  await fsckClean(t, 'after the restart');
});

t.test('what one scheduled snapshot costs with a container running, per driver', async (t) => {
  await dockerGroupUser(t);
  for (const driver of ['plain', 'reflink', 'btrfs']) {
    const name = uniqueName(`sched_${driver}`);
    const made = await dockerResult('volume', 'create', '-d', PLUGIN, '-o', `driver=${driver}`, name);
    if (made.code !== 0) {
      t.comment(`${driver}: not available on this state directory (${made.stderr.trim().split('\n')[0]})`);
      continue;
    }
    t.teardown(async () => {
      await dvol('schedule', 'rm', name);
      await dockerResult('volume', 'rm', '-f', name);
    });
    const ctr = await runDetached(t, ['-v', `${name}:/data`, busybox, ...SLEEP_UNTIL_STOPPED]);
    // 64 MiB in one file and 2000 small files: a small database's worth.
    await docker(
      'exec',
      ctr,
      'sh',
      '-c',
      'head -c 67108864 /dev/urandom > /data/big && mkdir /data/small && for i in $(seq 2000); do echo $i > /data/small/$i; done',
    );
    const since = new Date().toISOString();
    await dvolOk(t, 'schedule', 'add', name, '--every', '1h');
    const s = await waitFor(`the first snapshot of ${name}`, () => runAfter(t, name, since), {
      timeoutMs: 120_000,
    });
    t.match(s.last, { result: 'taken' }, `${driver}: taken`);
    t.equal(await docker('inspect', '-f', '{{.State.Status}}', ctr), 'running', `${driver}: running after`);
    t.comment(
      `${driver}: one scheduled snapshot of 64 MiB + 2000 files, container running: ${s.last?.durationMs} ms`,
    );
    await dvolOk(t, 'schedule', 'rm', name);
    await docker('rm', '-f', ctr);
  }
});
