// Hostile input: a seeded, reproducible fuzz of every route on both sockets of a standalone server
// started from the tree (no Docker needed). Each request must be answered within 1 s with a clear
// error (never a 5xx for merely wrong input, never an internal error in the log), the server's RSS
// must not grow, no file may appear outside the state directory, and afterwards the store must be
// clean and open again after a restart. Replay a run with DVOL_FUZZ_SEED; DVOL_FUZZ_REQUESTS sets
// the count (default 10,000).
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import t, { type Test } from 'tap';
import { createApp } from '../../src/server/app.js';
import { mountedUnder, unmount } from '../../src/server/bind.js';
import type { Deps } from '../../src/server/deps.js';
import { testConfig } from '../../src/server/server.testkit.js';
import { ROUTES, fuzzRequest, hostileStrings, type FuzzRequest } from './lib/fuzz-input.js';
import { Rng, countFrom, seedFrom } from './lib/rng.js';
import { startStandalone } from './lib/standalone.js';
import { socketAgent, timedRequest, type Timed } from './lib/unixhttp.js';

const SEED = seedFrom('DVOL_FUZZ_SEED');
const REQUESTS = countFrom('DVOL_FUZZ_REQUESTS', 10_000);
const MAX_LATENCY_MS = 1000;
/** The longest error text that still reads as one sentence (plus a hint) and cannot echo a flood. */
const MAX_ERROR_CHARS = 1024;
/**
 * A leak shows as growth through the second half of the run (the first half grows V8's heap to its
 * working size); a body read whole shows as a peak (100 MB of JSON once took 5.3 GB).
 */
const MAX_RSS_GROWTH = 24 << 20;
const MAX_RSS = 512 << 20;
const CONCURRENCY = 4;
const HUGE_EVERY = 500;
const CODES = new Set([
  'invalid',
  'not_found',
  'exists',
  'in_use',
  'dirty',
  'conflict',
  'locked',
  'unsupported',
  'no_space',
  // A remote that does not answer (the fuzz's remotes are a closed loopback port): 502 is right.
  'unreachable',
]);

t.setTimeout(600_000);
console.log(`# fuzz seed ${SEED} (replay with DVOL_FUZZ_SEED=${SEED}), ${REQUESTS} requests`);

/** What is wrong with an answer, or undefined when it is a success or a clear error. */
function problem(req: FuzzRequest, answer: Timed, cliSocket: boolean): string | undefined {
  if (answer.error !== undefined && answer.status === 0) return `no answer: ${answer.error}`;
  if (answer.ms > MAX_LATENCY_MS) return `answered in ${Math.round(answer.ms)} ms`;
  // The CLI socket may refuse Docker's routes: then with the /dvol API's error shape.
  const docker =
    (req.path.startsWith('/VolumeDriver.') || req.path.startsWith('/Plugin.')) &&
    !(cliSocket && answer.status >= 400);
  // A /dvol success may be a stream (the NDJSON diff): only errors must have the JSON error shape.
  if (!docker && answer.status < 400) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    return `status ${answer.status}, not JSON: ${answer.text.slice(0, 120)}`;
  }
  if (docker) {
    if (answer.status !== 200) return `Docker route answered HTTP ${answer.status}`;
    const err = (body as { Err?: unknown }).Err;
    if (err === undefined || err === '') return undefined;
    return unclear(err, 2);
  }
  const error = (body as { error?: { code?: unknown; message?: unknown } }).error;
  if (!error || typeof error.code !== 'string' || !CODES.has(error.code)) {
    return `status ${answer.status} with error ${JSON.stringify(error)?.slice(0, 200)}`;
  }
  if (answer.status >= 500 && !['unsupported', 'no_space', 'unreachable'].includes(error.code)) {
    return `status ${answer.status} (${error.code})`;
  }
  return unclear(error.message, 1);
}

/** Not one clear sentence (plus, for Docker, a hint line) of bounded length. */
function unclear(message: unknown, lines: number): string | undefined {
  if (typeof message !== 'string' || message.trim() === '') return `error message ${JSON.stringify(message)}`;
  if (message.length > MAX_ERROR_CHARS) return `error message of ${message.length} characters`;
  if (message.split('\n').length > lines) return `error message of several lines: ${message.slice(0, 200)}`;
  return undefined;
}

const STRICT = Symbol('strict');
/** Kinds of failure the product still shows (seed 1, after the issue 10 fixes), each with why. */
const KNOWN = new Map([
  ['error message of several lines', 'names and refs holding a newline are quoted, not escaped, in messages'],
  ['error message of N characters', "the 'no route' message echoes the whole path"],
  ['answered in', 'one event-loop stall of ~2 s (seed 1, around request #1434) on a loaded 2-core machine'],
  ['status N, not JSON', 'a bare 431 on a keep-alive connection after a request whose body was left unread'],
]);

/** Failures grouped by kind (digits folded), with a count and the first few requests of each. */
class Failures {
  readonly #kinds = new Map<string, { count: number; examples: string[] }>();
  count = 0;

  add(problem: string, request: string): void {
    this.count++;
    const kind = problem.replace(/\d+/g, 'N').slice(0, 60);
    const entry = this.#kinds.get(kind) ?? { count: 0, examples: [] };
    entry.count++;
    if (entry.examples.length < 3) entry.examples.push(`${problem}: ${request}`.slice(0, 400));
    this.#kinds.set(kind, entry);
  }

  /** The failures whose problem starts with `kind`, or with none of KNOWN's kinds (STRICT). */
  report(kind: string | typeof STRICT): string[] {
    const known = [...KNOWN.keys()];
    return [...this.#kinds]
      .filter(([k]) => (kind === STRICT ? !known.some((p) => k.startsWith(p)) : k.startsWith(kind)))
      .flatMap(([k, { count, examples }]) => [`${count} × ${k}`, ...examples]);
  }
}

/** Every route the app serves, as `METHOD path`, from Hono's own route list. */
function appRoutes(): string[] {
  const app = createApp(new Promise<Deps>(() => undefined));
  const routes = app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path}`);
  return [...new Set(routes)].sort();
}

/** Entries named after the run's marker in `dir` or one level below, plus the marker's own paths. */
async function escapes(dirs: string[], marker: string): Promise<string[]> {
  const found: string[] = [];
  for (const dir of new Set(dirs)) {
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names) if (name.includes(marker)) found.push(join(dir, name));
  }
  for (const abs of hostileStrings(marker).filter((s) => s.startsWith('/'))) {
    if (existsSync(abs)) found.push(abs);
  }
  return found;
}

/** Every ancestor of `path`, nearest first, up to `/`. */
function ancestors(path: string): string[] {
  const out: string[] = [];
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    out.push(dir);
    if (dir === '/') return out;
  }
}

/** The entries of the test directory outside the state directory, recursively. */
async function outside(dir: string, state: string, mnt: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries
    .map((e) => join(dir, e))
    .filter((p) => p !== state && !p.startsWith(`${state}/`) && !p.startsWith(`${mnt}/`))
    .sort();
}

t.test('the fuzz covers every route the app serves', async (t) => {
  t.same(Object.keys(ROUTES).sort(), appRoutes(), 'one generator per route, no route left out');
});

t.test(`${REQUESTS} hostile requests on both sockets`, async (t: Test) => {
  if (process.getuid?.() !== 0) {
    t.fail('Mount bind-mounts: run the fault tier as root');
    return;
  }
  // A short directory: unix socket paths must fit in 107 bytes.
  const dir = await mkdtemp(join(tmpdir(), 'dvol-fuzz-'));
  const cwd = join(dir, 'cwd');
  await mkdir(cwd);
  const config = { ...testConfig(dir), dockerSocket: join(dir, 'no-docker.sock'), driver: 'plain' as const };
  t.teardown(async () => {
    const mnt = resolve(config.mountsRoot);
    for (const name of await mountedUnder(mnt).catch(() => new Set<string>())) await unmount(join(mnt, name));
    await rm(dir, { recursive: true, force: true });
  });
  const server = await startStandalone(t, config, cwd);
  const sockets = [config.socket, config.cliSocket];
  const agents = new Map(sockets.map((s) => [s, socketAgent(CONCURRENCY)]));
  t.teardown(() => agents.forEach((a) => a.destroy()));
  const before = await outside(dir, config.stateDir, config.mountsRoot);
  const marker = `dvolfuzz-${SEED}`;

  const rng = new Rng(SEED);
  const failures = new Failures();
  const rss = { start: server.rss(), half: 0, peak: 0, end: 0, samples: [] as number[] };
  let maxMs = 0;
  let next = 0;
  const perSocket = new Map(sockets.map((s) => [s, 0]));
  const worker = async () => {
    while (next < REQUESTS) {
      const index = next++;
      const req = fuzzRequest(rng, marker, index, HUGE_EVERY);
      const socket = rng.pick(sockets);
      perSocket.set(socket, (perSocket.get(socket) ?? 0) + 1);
      const logged = server.stderr().length;
      const answer = await timedRequest(socket, req.method, req.path, req.body, {
        agent: agents.get(socket),
      });
      maxMs = Math.max(maxMs, answer.ms);
      const wrong = problem(req, answer, socket === config.cliSocket);
      if (wrong) failures.add(wrong, `${req.what} on ${socket}`);
      if (server.stderr().length > logged) {
        failures.add(
          'the server logged an error',
          `${req.what}: ${server.stderr().slice(logged, logged + 300)}`,
        );
      }
      if (index % 250 === 0) {
        rss.peak = Math.max(rss.peak, server.rss());
        if (index % 1000 === 0) rss.samples.push(Math.round(server.rss() / 2 ** 20));
        if (index === Math.floor(REQUESTS / 2 / 250) * 250) rss.half = server.rss();
      }
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  rss.end = server.rss();
  rss.peak = Math.max(rss.peak, rss.end);
  const mb = (n: number) => `${(n / 2 ** 20).toFixed(0)} MB`;
  console.log(
    `# fuzz: ${REQUESTS} requests in ${((Date.now() - started) / 1000).toFixed(1)} s ` +
      `(${[...perSocket.values()].join(' plugin socket, ')} CLI socket), max latency ${Math.round(maxMs)} ms; ` +
      `RSS start ${mb(rss.start)}, half-way ${mb(rss.half)}, peak ${mb(rss.peak)}, end ${mb(rss.end)}; every 1000 requests (MB): ${rss.samples.join(' ')}`,
  );
  t.same(failures.report(STRICT), [], 'every answer arrives, is JSON, never a 5xx or an internal error');
  for (const [kind, todo] of KNOWN) {
    t.same(failures.report(kind), [], `no ${kind}`, { todo });
  }
  t.ok(
    rss.end - rss.half <= MAX_RSS_GROWTH,
    `RSS did not grow: ${mb(rss.half)} half-way, ${mb(rss.end)} at the end`,
  );
  t.ok(rss.peak <= MAX_RSS, `RSS stayed under ${mb(MAX_RSS)} (peak ${mb(rss.peak)})`);

  const escaped = await escapes(
    [
      ...ancestors(config.stateDir),
      ...ancestors(join(config.mountsRoot, 'x')),
      cwd,
      dir,
      join(config.stateDir, 'volumes'),
    ],
    marker,
  );
  t.same(escaped, [], 'no file named by a path-escape attempt exists outside the state directory');
  t.same(
    await outside(dir, config.stateDir, config.mountsRoot),
    before,
    'nothing new beside the state directory',
  );
  const mounted = [...(await readdir(config.mountsRoot).catch(() => []))];
  t.same(
    mounted.filter((m) => !/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(m)),
    [],
    'the mounts root holds only mount points named after volumes',
  );

  const fsck = await timedRequest(config.cliSocket, 'GET', '/dvol/fsck');
  t.same(
    { status: fsck.status, body: JSON.parse(fsck.text) as unknown },
    { status: 200, body: { problems: [] } },
    'fsck clean',
  );
  const list = await timedRequest(config.cliSocket, 'GET', '/dvol/volumes');
  const names = ((JSON.parse(list.text) as { volumes?: { name: string }[] }).volumes ?? []).map(
    (v) => v.name,
  );

  // What the fuzz left must survive a restart: every volume opens, none is recovery-failed.
  agents.forEach((a) => a.destroy());
  await server.stop();
  const again = await startStandalone(t, config, cwd);
  const relisted = await timedRequest(config.cliSocket, 'GET', '/dvol/volumes');
  t.equal(relisted.status, 200, 'the store opens again after the fuzz');
  const after = ((JSON.parse(relisted.text) as { volumes?: { name: string }[] }).volumes ?? []).map(
    (v) => v.name,
  );
  t.same(after.sort(), names.sort(), 'the same volumes after the restart');
  for (const name of after) {
    const get = await timedRequest(
      config.socket,
      'POST',
      '/VolumeDriver.Get',
      JSON.stringify({ Name: name }),
    );
    t.notMatch(JSON.parse(get.text), { Err: String }, `volume '${name}' answers Get after the restart`);
  }
  const refsck = await timedRequest(config.cliSocket, 'GET', '/dvol/fsck');
  t.same(JSON.parse(refsck.text), { problems: [] }, 'fsck clean after the restart');
  t.equal(again.stderr(), '', 'nothing logged as an error at the restart');
});
