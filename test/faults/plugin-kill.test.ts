// Kill the plugin mid-operation, under Docker: the plugin's process is SIGKILLed at seeded random
// moments during commit, reset, checkout, checkout -b, branch -d and commit -d on volumes that
// running containers use. Docker restarts it; then fsck must be clean, every committed state intact
// byte for byte, the working data the old or the new state, and running containers must still see
// it; the restarted plugin must unpause or start again the containers its killed predecessor paused
// or stopped, and the mount counts must match the running containers.
// DVOL_KILLS sets the number of kills: 48 by default (npm test and CI: about 3 minutes), the issue's
// long run is DVOL_KILLS=200 (about 12 minutes); DVOL_KILL_SEED replays a run.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { docker, dockerResult } from '../e2e/lib/exec.js';
import { busyboxImage } from '../e2e/lib/images.js';
import { pluginId, waitForPlugin } from '../e2e/lib/plugin.js';
import { killPlugin, waitForRestart } from '../e2e/lib/pluginproc.js';
import { createVolume, runDetached } from '../e2e/lib/resources.js';
import { stateSource } from '../e2e/lib/statefs.js';
import { volumeStatus } from '../e2e/lib/volumes.js';
import { pluginClient } from './lib/dvolapi.js';
import { branchHashes, dataDirs, readRefs, type Refs } from './lib/history.js';
import { Rng, countFrom, seedFrom } from './lib/rng.js';
import { md5Lines, treeHash } from './lib/tree.js';

const KILLS = countFrom('DVOL_KILLS', 48);
const SEED = seedFrom('DVOL_KILL_SEED');
const AUTHOR = 'Fault <fault@example.com>';
/** Volumes worked on at once: each kill interrupts one operation on each. */
const VOLUMES = 2;
const OPS = ['commit', 'reset', 'checkout', 'checkout-b', 'branch-d', 'commit-d'] as const;
type Op = (typeof OPS)[number];
/** A busybox loop that `docker stop` ends within 0.1 s. */
const LOOP = ['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 0.1; done'];

t.setTimeout(40 * 60_000);
console.log(`# plugin kill seed ${SEED} (replay with DVOL_KILL_SEED=${SEED}), ${KILLS} kills`);

const image = await busyboxImage();
await waitForPlugin();
const id = await pluginId();
const state = await stateSource();
const api = await pluginClient();

async function must(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const answer = await api(method, path, body);
  if (answer.status < 200 || answer.status >= 300) {
    throw new Error(`${method} ${path}: ${answer.status} ${answer.error ?? JSON.stringify(answer.body)}`);
  }
  return answer.body;
}

/** One volume under test, the container using it, and what the test knows of its commits. */
interface Subject {
  volume: string;
  container: string;
  /** Fingerprint of each commit's data, taken when the commit first appeared. */
  commits: Map<string, string>;
}

/** An operation about to run, and the state it starts from. */
interface Plan {
  subject: Subject;
  op: Op;
  target: string;
  method: string;
  path: string;
  body?: unknown;
  before: Refs;
  hashes: Map<string, string>;
}

async function dirty(rng: Rng, s: Subject, active: string): Promise<void> {
  const dir = dataDirs(state, s.volume).branch(active);
  await writeFile(join(dir, 'counter'), `${rng.int(0, 1e9)}\n`);
  await writeFile(join(dir, `dirt-${rng.int(0, 20)}`), randomBytes(rng.int(1, 256) << 10));
}

/** Records the fingerprint of every commit not seen before. */
async function learn(s: Subject, refs: Refs): Promise<void> {
  for (const [c, record] of refs.commits) {
    if (!s.commits.has(c) && !record.dataDeleted) {
      s.commits.set(c, await treeHash(dataDirs(state, s.volume).commit(c)));
    }
  }
}

async function commitNow(s: Subject, message: string): Promise<void> {
  await must('POST', `/dvol/volumes/${s.volume}/commits`, { message, author: AUTHOR });
}

async function setUp(t: Test, rng: Rng): Promise<Subject> {
  const volume = await createVolume(t);
  const container = await runDetached(t, ['-v', `${volume}:/data`, image, ...LOOP]);
  const s: Subject = { volume, container, commits: new Map() };
  const master = dataDirs(state, volume).branch('master');
  await mkdir(join(master, 'db'), { recursive: true });
  for (let i = 0; i < 8; i++) await writeFile(join(master, 'db', `page${i}`), randomBytes(128 << 10));
  await commitNow(s, 'base');
  await must('POST', `/dvol/volumes/${volume}/checkout`, { branch: 'side', create: true });
  await dirty(rng, s, 'side');
  await commitNow(s, 'side work');
  await must('POST', `/dvol/volumes/${volume}/checkout`, { branch: 'master' });
  await learn(s, await readRefs(api, volume));
  return s;
}

/** Chooses the operation's target and sets up what it needs (unkilled); resolves to the request. */
async function plan(rng: Rng, s: Subject, wanted: Op, k: number): Promise<Plan> {
  let before = await readRefs(api, s.volume);
  const status = (await must('GET', `/dvol/volumes/${s.volume}`)).status as { dirty: boolean };
  const needsClean = wanted === 'checkout' || wanted === 'checkout-b';
  if (needsClean && status.dirty) {
    await commitNow(s, `tidy ${k}`);
    before = await readRefs(api, s.volume);
  }
  await learn(s, before);
  const tips = new Set([...before.branches.values(), ...before.tags.values()]);
  const inactive = [...before.branches.keys()].filter((b) => b !== before.active);
  const deletable = [...before.commits.values()].filter((c) => !c.dataDeleted && !tips.has(c.id));
  let op = wanted;
  if (op === 'checkout' && inactive.length === 0) op = 'checkout-b';
  if (op === 'branch-d' && inactive.filter((b) => b !== 'master').length === 0) op = 'checkout-b';
  if (op === 'commit-d' && deletable.length === 0) op = 'commit';
  if (op === 'commit' || op === 'reset') await dirty(rng, s, before.active);
  const hashes = await branchHashes(state, s.volume, before);
  const base = `/dvol/volumes/${s.volume}`;
  const common = { subject: s, op, before, hashes };
  switch (op) {
    case 'commit':
      return {
        ...common,
        target: '',
        method: 'POST',
        path: `${base}/commits`,
        body: { message: `c${k}`, author: AUTHOR },
      };
    case 'reset': {
      const head = before.branches.get(before.active) ?? null;
      const reachable = [...before.commits.values()].filter((c) => !c.dataDeleted).map((c) => c.id);
      const target = rng.chance(0.5) || head === null ? rng.pick(reachable) : head;
      return { ...common, target, method: 'POST', path: `${base}/reset`, body: { ref: target, hard: true } };
    }
    case 'checkout': {
      const target = rng.pick(inactive);
      return { ...common, target, method: 'POST', path: `${base}/checkout`, body: { branch: target } };
    }
    case 'checkout-b': {
      const target = `b${k}`;
      return {
        ...common,
        target,
        method: 'POST',
        path: `${base}/checkout`,
        body: { branch: target, create: true },
      };
    }
    case 'branch-d': {
      const target = rng.pick(inactive.filter((b) => b !== 'master'));
      return { ...common, target, method: 'DELETE', path: `${base}/branches/${target}?force=1` };
    }
    case 'commit-d': {
      const target = rng.pick(deletable).id;
      return { ...common, target, method: 'POST', path: `${base}/commits/delete`, body: { ref: target } };
    }
  }
}

/** Commits reachable from the refs, through parents known from either side. */
function reachable(refs: Refs, parents: Map<string, string | null>): Set<string> {
  const out = new Set<string>();
  const stack = [...refs.branches.values(), ...refs.tags.values()].filter((c): c is string => c !== null);
  while (stack.length > 0) {
    const c = stack.pop() as string;
    if (out.has(c)) continue;
    out.add(c);
    const parent = parents.get(c);
    if (parent) stack.push(parent);
  }
  return out;
}

/** Everything wrong with the volume after the kill, as sentences. */
async function verify(p: Plan): Promise<string[]> {
  const s = p.subject;
  const problems: string[] = [];
  const after = await readRefs(api, s.volume);
  const dirs = dataDirs(state, s.volume);
  const headBefore = p.before.branches.get(p.before.active) ?? null;
  const headAfter = after.branches.get(after.active) ?? null;
  const working = await treeHash(dirs.branch(after.active));
  const parents = new Map([...p.before.commits, ...after.commits].map(([c, r]) => [c, r.parent]));
  const wasOld =
    after.active === p.before.active && headAfter === headBefore && working === p.hashes.get(p.before.active);
  const fail = (what: string) => problems.push(`${p.op} ${p.target}: ${what}`);

  // Every commit the refs still reach has its data, byte for byte (or had it deleted on purpose).
  for (const c of reachable(after, parents)) {
    const record = after.commits.get(c);
    if (record === undefined) fail(`commit ${c} is reachable but missing from the log`);
    else if (record.dataDeleted) {
      if (!(p.op === 'commit-d' && c === p.target) && !p.before.commits.get(c)?.dataDeleted) {
        fail(`commit ${c} lost its data`);
      }
    } else if (s.commits.has(c) && (await treeHash(dirs.commit(c))) !== s.commits.get(c)) {
      fail(`commit ${c}'s data changed`);
    }
  }
  // Every commit reachable before still is, unless the operation moved a ref off it.
  const kept = reachable(after, parents);
  for (const c of reachable(p.before, parents)) {
    if (!kept.has(c) && p.op !== 'reset' && p.op !== 'branch-d') fail(`commit ${c} is no longer reachable`);
  }
  // Branches the operation did not touch keep their working data.
  for (const [b, hash] of p.hashes) {
    if (b === p.before.active && (p.op === 'reset' || p.op === 'commit')) continue;
    if (p.op === 'branch-d' && b === p.target) continue;
    if (after.branches.has(b) && (await treeHash(dirs.branch(b))) !== hash)
      fail(`branch ${b}'s working data changed`);
  }
  switch (p.op) {
    case 'commit': {
      const made = [...after.commits.keys()].filter((c) => !p.before.commits.has(c));
      if (made.length === 0 && !wasOld) fail('no new commit, yet the volume changed');
      if (made.length > 1) fail(`${made.length} new commits`);
      for (const c of made) {
        const hash = await treeHash(dirs.commit(c));
        if (hash !== p.hashes.get(p.before.active)) fail(`new commit ${c} does not hold the working data`);
        if (parents.get(c) !== headBefore || headAfter !== c) fail(`new commit ${c} is not the new tip`);
        s.commits.set(c, hash);
      }
      if (working !== p.hashes.get(p.before.active)) fail('the working data changed');
      break;
    }
    case 'reset': {
      const isNew =
        after.active === p.before.active && headAfter === p.target && working === s.commits.get(p.target);
      if (!wasOld && !isNew) fail(`neither the old state nor ${p.target} (head ${headAfter})`);
      break;
    }
    case 'checkout': {
      const isNew = after.active === p.target && working === p.hashes.get(p.target);
      if (!wasOld && !isNew) fail(`neither the old branch nor ${p.target} (active ${after.active})`);
      break;
    }
    case 'checkout-b': {
      const made = after.branches.has(p.target);
      const isNew =
        made &&
        after.active === p.target &&
        headAfter === headBefore &&
        working === p.hashes.get(p.before.active);
      if (made ? !isNew : !wasOld) fail(`neither the old state nor the new branch (active ${after.active})`);
      break;
    }
    case 'branch-d': {
      if (after.branches.has(p.target) && after.branches.get(p.target) !== p.before.branches.get(p.target)) {
        fail('the branch moved');
      }
      if (!wasOld) fail('the active branch or its data changed');
      break;
    }
    case 'commit-d': {
      if (!wasOld) fail('the active branch or its data changed');
      break;
    }
  }
  await learn(s, after);
  return problems;
}

/** The container's view of /data (md5 per file), compared with the host's active branch. */
async function containerSees(s: Subject): Promise<string | undefined> {
  const status = await docker('inspect', '-f', '{{.State.Status}}', s.container);
  if (status !== 'running') return `container ${s.container} is ${status}`;
  const refs = await readRefs(api, s.volume);
  const inside = await dockerResult(
    'exec',
    s.container,
    'sh',
    '-c',
    'cd /data && find . -type f -exec md5sum {} +',
  );
  if (inside.code !== 0) return `container ${s.container} cannot read /data: ${inside.stderr.trim()}`;
  const seen = inside.stdout.trim().split('\n').sort().join('\n');
  const expected = (await md5Lines(dataDirs(state, s.volume).branch(refs.active))).join('\n');
  return seen === expected ? undefined : `container ${s.container} does not see branch ${refs.active}'s data`;
}

/**
 * Waits until the restarted plugin has restored what its predecessor left paused or stopped: it
 * removes each record in `<state>/held` once done. Resolves to the records still there after 30 s.
 */
async function restored(): Promise<string[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const left = (await readdir(join(state, 'held')).catch(() => [])).filter((f) => f.endsWith('.json'));
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The volume's mount count once it equals `expected`, or what it is after 3 s. */
async function settledMounts(volume: string, expected: number): Promise<number> {
  const deadline = Date.now() + 3000;
  for (;;) {
    const mounts = (await volumeStatus(volume)).mounts;
    if (mounts === expected || Date.now() > deadline) return mounts;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Repairs a drifted count so the next kills test something: stops the container, unmounts every
 * holder the plugin's mount table still lists for the volume, and starts the container again.
 */
async function resyncMounts(s: Subject, running: boolean): Promise<void> {
  if (running) await docker('stop', s.container);
  const table = JSON.parse(await readFile(join(state, 'mounts.json'), 'utf8')) as {
    mounts?: Record<string, Record<string, number>>;
  };
  for (const [holder, n] of Object.entries(table.mounts?.[s.volume] ?? {})) {
    for (let i = 0; i < n; i++) await api('POST', '/VolumeDriver.Unmount', { Name: s.volume, ID: holder });
  }
  if (running) await docker('start', s.container);
}

t.test(`${KILLS} SIGKILLs of the plugin mid-operation`, async (t) => {
  const rng = new Rng(SEED);
  const subjects: Subject[] = [];
  for (let i = 0; i < VOLUMES; i++) subjects.push(await setUp(t, rng));
  // Each operation's duration, measured unkilled, scales the seeded kill moments to this machine.
  const duration = new Map<Op, number>();
  for (const op of OPS) {
    const p = await plan(rng, subjects[0] as Subject, op, -duration.size - 1);
    const answer = await api(p.method, p.path, p.body);
    if (answer.status >= 300) throw new Error(`${op} failed unkilled: ${JSON.stringify(answer.body)}`);
    duration.set(p.op, Math.max(duration.get(p.op) ?? 0, answer.ms));
    t.same(await verify(p), [], `${op} unkilled leaves the new state`);
  }
  console.log(
    `# unkilled durations (ms): ${[...duration].map(([op, ms]) => `${op} ${Math.round(ms)}`).join(', ')}`,
  );

  const problems: string[] = [];
  const landed = new Map<Op, { during: number; after: number }>(
    OPS.map((op) => [op, { during: 0, after: 0 }]),
  );
  const left = { stopped: 0, paused: 0 };
  let drifted = 0;
  let restartMs = 0;
  const started = Date.now();
  for (let k = 0; k < KILLS; k++) {
    const op = OPS[k % OPS.length] as Op;
    const plans: Plan[] = [];
    for (const s of subjects) plans.push(await plan(rng, s, op, k));
    const delay = rng.next() * (duration.get(op) ?? 500);
    const requests = plans.map((p) => api(p.method, p.path, p.body));
    await new Promise((r) => setTimeout(r, delay));
    const pid = killPlugin(id);
    const killedAt = Date.now();
    const answers = await Promise.all(requests);
    for (const [i, a] of answers.entries()) {
      const count = landed.get(plans[i]?.op ?? op);
      if (count && a.status === 0) count.during++;
      else if (count) count.after++;
    }
    await waitForRestart(id, pid, async () => (await api('GET', '/dvol/version')).status === 200);
    const unrestored = await restored();
    if (unrestored.length > 0)
      problems.push(`kill ${k} (${op}): held containers not restored: ${unrestored}`);
    const fsck = await api('GET', '/dvol/fsck');
    const clean = fsck.status === 200 && JSON.stringify(fsck.body.problems) === '[]';
    if (!clean) problems.push(`kill ${k} (${op}): fsck ${fsck.status} ${JSON.stringify(fsck.body)}`);
    for (const p of plans)
      for (const e of await verify(p)) problems.push(`kill ${k} at ${Math.round(delay)} ms: ${e}`);
    restartMs += Date.now() - killedAt;
    for (const s of subjects) {
      const status = await docker('inspect', '-f', '{{.State.Status}}', s.container);
      if (status === 'paused') {
        left.paused++;
        problems.push(`kill ${k} (${op}): container ${s.container} left paused`);
        await docker('unpause', s.container);
      }
      const running = status !== 'exited' && status !== 'created';
      // Docker unmounts a container dvol stopped a moment after the stop: give it that moment.
      const mounts = await settledMounts(s.volume, running ? 1 : 0);
      if (mounts !== (running ? 1 : 0)) {
        drifted++;
        problems.push(
          `kill ${k} (${op}): ${s.volume} counts ${mounts} mounts with ${running ? 1 : 0} running container`,
        );
        await resyncMounts(s, running);
      }
      if (!running) {
        // dvol stopped it for a reset or checkout and was killed before starting it again.
        left.stopped++;
        await docker('start', s.container);
      } else if (k % 10 === 0) {
        const wrong = await containerSees(s);
        if (wrong) problems.push(`kill ${k} (${op}): ${wrong}`);
      }
    }
    if (problems.length > 40) break;
  }
  const seconds = (Date.now() - started) / 1000;
  const kills = [...landed].map(([op, n]) => `${op} ${n.during}+${n.after}`).join(', ');
  console.log(
    `# ${KILLS} kills in ${seconds.toFixed(0)} s (${(seconds / KILLS).toFixed(2)} s per kill); ` +
      `requests cut by the kill + answered before it, per operation: ${kills}; ` +
      `containers left stopped ${left.stopped}, left paused ${left.paused}; mount counts drifted ${drifted}; ` +
      `mean ${(restartMs / KILLS).toFixed(0)} ms from the kill to an answering plugin`,
  );
  t.same(
    problems,
    [],
    'after every kill: fsck clean, commits intact, working data old or new, containers see it',
  );
  t.equal(left.paused, 0, 'no container is left paused by a kill during commit');
  t.equal(drifted, 0, 'mount counts match the running containers after every kill');
  t.equal(
    left.stopped,
    0,
    'no container that dvol stopped for a reset or checkout is left stopped by the kill',
  );
  for (const s of subjects) {
    t.equal(await containerSees(s), undefined, `${s.container} sees its volume's data at the end`);
    t.equal((await volumeStatus(s.volume)).mounts, 1, `${s.volume} is mounted once, by its one container`);
  }
});
