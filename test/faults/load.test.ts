// Load: 50 containers start and stop on one volume while commits of it run, and 20 other volumes
// are committed at once, while Mount, Unmount and Get are timed on the plugin socket as Docker
// sends them. No deadlock, Unmount never waits on a dvol operation, counts exact at the end; the
// p50/p99 of Mount and Get go to docs/reliability.md. DVOL_LOAD_CONTAINERS scales the run.
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { docker, dockerResult } from '../e2e/lib/exec.js';
import { busyboxImage } from '../e2e/lib/images.js';
import { uniqueName } from '../e2e/lib/names.js';
import { waitForPlugin } from '../e2e/lib/plugin.js';
import { LABEL, createVolume } from '../e2e/lib/resources.js';
import { stateSource } from '../e2e/lib/statefs.js';
import { volumeStatus } from '../e2e/lib/volumes.js';
import { pluginClient, type Call } from './lib/dvolapi.js';
import { dataDirs } from './lib/history.js';
import { countFrom } from './lib/rng.js';
import { percentile } from './lib/unixhttp.js';

const CONTAINERS = countFrom('DVOL_LOAD_CONTAINERS', 50);
const VOLUMES = countFrom('DVOL_LOAD_VOLUMES', 20);
/** Containers starting or stopping at once. */
const PARALLEL = 10;
const AUTHOR = 'Load <load@example.com>';
/** What Unmount may take on a loaded machine without having waited for a commit. */
const UNMOUNT_LIMIT_MS = 1000;
t.setTimeout(15 * 60_000);

const image = await busyboxImage();
await waitForPlugin();
const state = await stateSource();
const api = await pluginClient();

async function fill(volume: string, files: number, size: number): Promise<void> {
  const dir = join(dataDirs(state, volume).branch('master'), 'db');
  await mkdir(dir, { recursive: true });
  for (let i = 0; i < files; i++) await writeFile(join(dir, `f${i}`), randomBytes(size));
}

/** Runs `task(i)` for i < count, `parallel` at a time. */
async function pool(count: number, parallel: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

t.test(`${CONTAINERS} containers on one volume while it and ${VOLUMES} others are committed`, async (t) => {
  const busy = await createVolume(t);
  await fill(busy, 40, 1 << 20);
  const others: string[] = [];
  for (let i = 0; i < VOLUMES; i++) {
    const v = await createVolume(t);
    await fill(v, 4, 512 << 10);
    others.push(v);
  }
  const names = Array.from({ length: CONTAINERS }, () => uniqueName('load'));
  t.teardown(async () => {
    for (const n of names) await dockerResult('rm', '-f', '-v', n);
  });

  const samples = { mount: [] as number[], unmount: [] as number[], get: [] as number[] };
  const errors: string[] = [];
  const note = (what: string, call: Call) => {
    if (call.status !== 200 || call.body.Err)
      errors.push(`${what}: ${call.status} ${call.error ?? JSON.stringify(call.body)}`);
  };
  let loading = true;
  // Docker's side: a Mount and Unmount with a mount ID of their own, and a Get, in a loop.
  const probe = async (n: number) => {
    for (let i = 0; loading; i++) {
      const ID = `probe${n}x${i}`.padEnd(64, '0');
      const mount = await api('POST', '/VolumeDriver.Mount', { Name: busy, ID });
      note('Mount', mount);
      samples.mount.push(mount.ms);
      const get = await api('POST', '/VolumeDriver.Get', { Name: busy });
      note('Get', get);
      samples.get.push(get.ms);
      const unmount = await api('POST', '/VolumeDriver.Unmount', { Name: busy, ID });
      note('Unmount', unmount);
      samples.unmount.push(unmount.ms);
    }
  };
  const commits = {
    busy: 0,
    busyRefused: [] as string[],
    others: new Map(others.map((v) => [v, 0])),
    ms: [] as number[],
  };
  const commitBusy = async () => {
    for (let i = 0; loading; i++) {
      await writeFile(join(dataDirs(state, busy).branch('master'), 'counter'), String(i));
      const answer = await api('POST', `/dvol/volumes/${busy}/commits`, {
        message: `busy ${i}`,
        author: AUTHOR,
      });
      if (answer.status === 201) {
        commits.busy++;
        commits.ms.push(answer.ms);
      } else commits.busyRefused.push(`${answer.status} ${JSON.stringify(answer.body)}`);
    }
  };
  const commitOthers = async () => {
    for (let round = 0; round < 3; round++) {
      const answers = await Promise.all(
        others.map(async (v) => {
          await writeFile(join(dataDirs(state, v).branch('master'), 'round'), String(round));
          return [
            v,
            await api('POST', `/dvol/volumes/${v}/commits`, { message: `round ${round}`, author: AUTHOR }),
          ] as const;
        }),
      );
      for (const [v, a] of answers) {
        if (a.status === 201) commits.others.set(v, (commits.others.get(v) ?? 0) + 1);
        else errors.push(`commit of ${v}: ${a.status} ${JSON.stringify(a.body)}`);
      }
    }
  };
  const containers = async () => {
    await pool(CONTAINERS, PARALLEL, async (i) => {
      const name = names[i] as string;
      await docker(
        'run',
        '-d',
        '--label',
        LABEL,
        '--name',
        name,
        '-v',
        `${busy}:/data`,
        image,
        'sh',
        '-c',
        'trap "exit 0" TERM; while :; do sleep 0.1; done',
      );
    });
    await pool(CONTAINERS, PARALLEL, async (i) => {
      await docker('stop', names[i] as string);
    });
  };
  const started = Date.now();
  const load = Promise.all([containers(), commitOthers()]).finally(() => (loading = false));
  await Promise.all([load, commitBusy(), probe(0), probe(1)]);
  const seconds = (Date.now() - started) / 1000;

  const fmt = (xs: number[]) =>
    `p50 ${percentile(xs, 50).toFixed(0)} ms, p99 ${percentile(xs, 99).toFixed(0)} ms, max ${Math.max(...xs).toFixed(0)} ms (${xs.length})`;
  console.log(
    `# load: ${CONTAINERS} containers started and stopped, ${commits.busy} commits of the busy volume ` +
      `(${commits.busyRefused.length} refused; ${fmt(commits.ms)}), ${VOLUMES} volumes × 3 rounds committed at once, in ${seconds.toFixed(0)} s`,
  );
  console.log(`# Mount ${fmt(samples.mount)}; Get ${fmt(samples.get)}; Unmount ${fmt(samples.unmount)}`);
  t.same(errors, [], 'every Mount, Get, Unmount and concurrent commit answered without an error');
  t.ok(commits.busy > 0, `commits of the busy volume went through (${commits.busy})`);
  const reasons = [...new Set(commits.busyRefused.map((r) => r.slice(0, 160)))];
  console.log(`# refused commits: ${reasons.slice(0, 3).join(' | ')}`);
  t.same(
    commits.busyRefused.filter((r) => !r.startsWith('409')),
    [],
    'a refused commit is a clear 409, never a failure',
  );
  t.ok(
    Math.max(...samples.unmount) < UNMOUNT_LIMIT_MS,
    `Unmount never waited on a commit (max ${Math.max(...samples.unmount).toFixed(0)} ms)`,
  );

  // Counts exact: every probe and container unmounted, every commit in its log.
  for (const n of names) await docker('rm', '-v', n);
  t.equal((await volumeStatus(busy)).mounts, 0, 'the busy volume is mounted by nothing');
  const log = await api('GET', `/dvol/volumes/${busy}/commits`);
  t.equal(
    (log.body.commits as unknown[]).length,
    commits.busy,
    'its log holds every commit that answered 201',
  );
  for (const v of others) {
    const l = await api('GET', `/dvol/volumes/${v}/commits`);
    t.equal((l.body.commits as unknown[]).length, commits.others.get(v), `${v}: every round committed once`);
  }
  t.same((await api('GET', '/dvol/fsck')).body.problems, [], 'fsck clean after the load');
});
