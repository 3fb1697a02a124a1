// `dvol schedule` and `dvol log --scheduled` against the real server on a plain store.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { cliAgainstServer } from './apiserver.testkit.js';

const { store, dvol } = await cliAgainstServer(t);

/** Waits until the schedule of `volume` has recorded a run (a snapshot or a skip). */
async function ran(volume: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const { out } = await dvol('schedule', 'list', '--json');
    const { schedules } = JSON.parse(out) as { schedules: { volume: string; last?: unknown }[] };
    if (schedules.some((s) => s.volume === volume && s.last !== undefined)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the schedule of ${volume} did not run`);
}

t.test('add, list, log --scheduled, pause, resume, rm', async (t) => {
  t.equal((await dvol('init', 'db')).code, 0);
  await writeFile(join(await store.volume('db').dataPath(), 'f'), 'one');
  t.same(await dvol('schedule', 'add', '--every', '1h', '--keep', '24h:1h', '--keep-last', '2'), {
    code: 0,
    out: 'Scheduled snapshots of db: every 1h, keep 1d:1h, keep last 2.\n',
    err: '',
  });
  await ran('db');
  const list = await dvol('schedule', 'list');
  t.match(
    list.out,
    /^ *VOLUME +RULE +NEXT RUN +LAST RUN\n *db +every 1h, keep 1d:1h, keep last 2 +20\d\d-.*snapshot [0-9a-f]{7} *\n$/,
  );
  const log = await dvol('log', '--scheduled');
  t.match(log.out, /^commit [0-9a-f]{40} \(scheduled\)\nAuthor: dvol scheduler <scheduler@dvol>\n/);
  t.match(log.out, /scheduled snapshot at 20\d\d-.*Z \(every 1h, keep 1d:1h, keep last 2\)/);
  t.equal(
    (await dvol('log')).out,
    'Volume db has no commits yet on its active branch.\n',
    'log is the user history',
  );
  t.same(await dvol('schedule', 'pause'), { code: 0, out: 'Paused the schedule of db.\n', err: '' });
  t.match((await dvol('schedule', 'list', '--json')).out, /"paused": true/);
  t.same(await dvol('schedule', 'resume', 'db'), { code: 0, out: 'Resumed the schedule of db.\n', err: '' });
  t.same(await dvol('schedule', 'rm'), {
    code: 0,
    out: 'Removed the schedule of db; its snapshots are kept.\n',
    err: '',
  });
  t.equal(
    (await dvol('schedule', 'list')).out,
    "No schedules; add one with 'dvol schedule add --every 10m'.\n",
  );
});

t.test('refusals are one sentence and an exit status', async (t) => {
  t.match(await dvol('schedule', 'add', 'db'), { code: 2, err: /add needs --every DURATION/ });
  t.match(await dvol('schedule', 'add', 'db', '--every', 'often'), {
    code: 2,
    err: /'often' is not a schedule interval/,
  });
  t.match(await dvol('schedule', 'add', 'db', '--every', '1h', '--keep-last', 'x'), {
    code: 2,
    err: /whole number/,
  });
  t.match(await dvol('schedule', 'pause', 'db', '--every', '1h'), { code: 2, err: /go with add/ });
  t.match(await dvol('schedule', 'stop'), { code: 2, err: /unknown action 'stop'/ });
  t.match(await dvol('schedule', 'rm', 'db'), { code: 3, err: /volume 'db' has no schedule/ });
  t.match(await dvol('schedule', 'add', 'nope', '--every', '1h'), {
    code: 3,
    err: /volume 'nope' does not exist/,
  });
});

t.test('du lists the snapshot with what only it holds', async (t) => {
  const r = await dvol('du', 'db');
  t.equal(r.code, 0);
  t.match(r.out, /^ *ID +KIND +DATE +SIZE +ONLY IT +MESSAGE\n *[0-9a-f]{7} +snapshot of master +20\d\d-/);
  t.match(r.out, /branch master .*\(working data\)/);
  t.match(r.out, /\nOnly in commits: 0 ?B; only in scheduled snapshots: [\d.]+ ?kB\.\n\(plain: exact/);
  t.match(JSON.parse((await dvol('du', '--json', 'db')).out), {
    du: { driver: 'plain', entries: [{ snapshotOf: 'master' }] },
  });
});
