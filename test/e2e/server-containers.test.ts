// Stop/start around checkout and reset, pause around commit, against the real dockerd: the app is
// registered as a legacy plugin socket, so Docker itself calls Create, Mount and Unmount on it.
// It lives in the e2e tier because dockerd caches a legacy volume driver for good: once the socket is
// gone, every probe of an unknown volume name retries the dead driver for 30 s. Only a dockerd restart
// forgets it, so the file restarts dockerd when it is done.

import { existsSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { closeServer, listenUnix } from '../../src/server/listen.js';
import {
  api,
  docker as dockerCall,
  shortDir,
  testServer,
  type App,
} from '../../src/server/server.testkit.js';
import { AUTHOR } from '../../src/storage/store.testkit.js';
import { restartDockerd } from './lib/dockerd.js';
import { runOk } from './lib/exec.js';
import { busyboxImage } from './lib/images.js';

const DOCKER = '/var/run/docker.sock';
const skip = !existsSync(DOCKER)
  ? `no Docker engine at ${DOCKER}`
  : process.getuid?.() !== 0
    ? 'registering a plugin socket and mounting need root'
    : false;

const PLUGIN = `dvoltest${process.pid}`;
// Registered first, so it runs after every subtest's teardown has closed the socket.
if (!skip) t.teardown(restartDockerd);
const VOLUME = `dvt${process.pid}`;
const docker = (...args: string[]) => runOk('docker', args);

/** The app as a legacy plugin, a volume, and containers using it; all removed at teardown. */
async function setup(t: Test, dockerSocket = DOCKER) {
  const { app, deps, store } = await testServer(t, { pluginName: PLUGIN, dockerSocket });
  const server = await listenUnix(app.fetch, `/run/docker/plugins/${PLUGIN}.sock`);
  const containers: string[] = [];
  // tap runs teardowns last-registered first: this one runs before testServer's (store close, unmounts).
  // Containers go first, then the volume (Docker asks the plugin), then the plugin socket.
  t.teardown(async () => {
    for (const c of containers) await docker('rm', '-f', c).catch(() => undefined);
    await docker('volume', 'rm', '-f', VOLUME).catch(() => undefined);
    await closeServer(server);
  });
  const image = await busyboxImage();
  const run = async (name: string) => {
    containers.push(name);
    // sh as PID 1 ignores SIGTERM unless trapped; the loop makes stop take well under a second.
    const script = 'trap "exit 0" TERM; while :; do sleep 0.1; done';
    await docker(
      'run',
      '-d',
      '--name',
      name,
      '--volume-driver',
      PLUGIN,
      '-v',
      `${VOLUME}:/data`,
      image,
      'sh',
      '-c',
      script,
    );
  };
  return { app, deps, store, run };
}

const startedAt = (name: string) => docker('inspect', '-f', '{{.State.StartedAt}}', name);
const state = (name: string) => docker('inspect', '-f', '{{.State.Status}}', name);
const cat = (name: string, file: string) => docker('exec', name, 'cat', `/data/${file}`);
const write = (name: string, file: string, text: string) =>
  docker('exec', name, 'sh', '-c', `echo ${text} > /data/${file}`);

async function commit(t: Test, app: App, message: string) {
  const answer = await api(app, 'POST', `/volumes/${VOLUME}/commits`, { message, author: AUTHOR });
  t.equal(answer.status, 201, `commit '${message}'`);
}

t.test(
  'reset and checkout stop the containers using the volume and start them again',
  { skip },
  async (t) => {
    const { app, store, deps, run } = await setup(t);
    const name = `${VOLUME}-app`;
    await run(name);
    t.same(
      (await deps.containers.using(VOLUME)).map((c) => c.name),
      [name],
      'found through its mounts',
    );
    t.equal(store.mounts.count(VOLUME), 1, 'Docker mounted it through the app');

    await write(name, 'f', 'one');
    const since = Math.floor(Date.now() / 1000).toString();
    await commit(t, app, 'one');
    const until = Math.ceil(Date.now() / 1000 + 1).toString();
    const events = await docker(
      'events',
      '--since',
      since,
      '--until',
      until,
      '--filter',
      `container=${name}`,
      '--filter',
      'event=pause',
      '--filter',
      'event=unpause',
      '--format',
      '{{.Action}}',
    );
    t.same(events.split('\n'), ['pause', 'unpause'], 'paused for the commit, unpaused after');
    t.equal(await state(name), 'running');

    await write(name, 'f', 'two');
    const before = await startedAt(name);
    const reset = await api(app, 'POST', `/volumes/${VOLUME}/reset`, { ref: 'HEAD', hard: true });
    t.match(reset, { status: 200, body: { restarted: [name] } });
    t.not(await startedAt(name), before, 'the container was restarted');
    t.equal(await cat(name, 'f'), 'one', 'and sees the reset data');
    t.equal(store.mounts.count(VOLUME), 1, 'mounted once again');

    const checkout = await api(app, 'POST', `/volumes/${VOLUME}/checkout`, { branch: 'dev', create: true });
    t.match(checkout, { status: 200, body: { branch: { name: 'dev' }, restarted: [name] } });
    await write(name, 'f', 'dev');
    await commit(t, app, 'dev');
    t.match(await api(app, 'POST', `/volumes/${VOLUME}/checkout`, { branch: 'master' }), {
      body: { restarted: [name] },
    });
    t.equal(await cat(name, 'f'), 'one', 'master data after switching back');
    const onMaster = await startedAt(name);
    t.match(await api(app, 'POST', `/volumes/${VOLUME}/checkout`, { branch: 'master' }), {
      body: { branch: { name: 'master' }, restarted: [] },
    });
    t.equal(await startedAt(name), onMaster, 'checking out the active branch restarts nothing');
    await write(name, 'f', 'uncommitted');
    t.match(await api(app, 'POST', `/volumes/${VOLUME}/checkout`, { branch: 'dev' }), {
      status: 409,
      body: { error: { code: 'dirty' } },
    });
    t.equal(await startedAt(name), onMaster, 'a checkout refused as dirty leaves the containers running');
    await write(name, 'f', 'one');
    await commit(t, app, 'one again');
    t.match(await api(app, 'GET', '/volumes'), { body: { volumes: [{ name: VOLUME, containers: [name] }] } });

    await docker('stop', name);
    const idle = await api(app, 'POST', `/volumes/${VOLUME}/reset`, { ref: 'HEAD', hard: true });
    t.match(idle, { status: 200, body: { restarted: [] } }, 'a stopped container is not started');
    t.equal(await state(name), 'exited');
    // A holder left while a (stopped) container still references the volume is not provably stale.
    const stale = 'e'.repeat(64);
    await dockerCall(app, 'VolumeDriver.Mount', { Name: VOLUME, ID: stale });
    t.match(await api(app, 'POST', `/volumes/${VOLUME}/reset`, { ref: 'HEAD', hard: true }), {
      status: 409,
      body: {
        error: { code: 'in_use', message: /is still mounted \(1 mount\) by something dvol did not stop/ },
      },
    });
    await dockerCall(app, 'VolumeDriver.Unmount', { Name: VOLUME, ID: stale });
    t.same(await api(app, 'GET', '/fsck'), { status: 200, body: { problems: [] } });
  },
);

/**
 * Docker never refuses to stop a healthy container on demand, so the failure is injected by a proxy
 * in front of the real Docker socket that fails one container's stop (a fake of that fault only).
 */
async function failingStopProxy(t: Test, victim: () => string): Promise<string> {
  const path = join(await shortDir(t), 'docker.sock');
  const proxy = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'POST' && req.url?.includes(`/containers/${victim()}/stop`)) {
      res.writeHead(500, { 'Content-Type': 'application/json' }).end('{"message":"injected stop failure"}');
      return;
    }
    const upstream = request(
      { socketPath: DOCKER, path: req.url, method: req.method, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(path, resolve));
  t.teardown(() => new Promise<void>((resolve) => proxy.close(() => resolve())));
  return path;
}

t.test(
  'a failed stop (injected: not producible for real) restarts the stopped ones and changes nothing',
  { skip },
  async (t) => {
    let victimId = '';
    const proxy = await failingStopProxy(t, () => victimId);
    const { app, run } = await setup(t, proxy);
    const first = `${VOLUME}-first`;
    const second = `${VOLUME}-second`;
    await run(first);
    await run(second);
    victimId = await docker('inspect', '-f', '{{.Id}}', first);
    await write(first, 'f', 'committed');
    await commit(t, app, 'base');
    await write(first, 'f', 'uncommitted');
    const secondStarted = await startedAt(second);

    const reset = await api(app, 'POST', `/volumes/${VOLUME}/reset`, { ref: 'HEAD', hard: true });
    t.match(reset, {
      status: 409,
      body: {
        error: {
          code: 'in_use',
          message: new RegExp(
            `could not stop container '${first}'.*injected stop failure; nothing was changed`,
          ),
        },
      },
    });
    t.equal(await state(first), 'running');
    t.equal(await state(second), 'running', 'the one already stopped runs again');
    t.not(await startedAt(second), secondStarted, '(it was stopped and started)');
    t.equal(await cat(first, 'f'), 'uncommitted', 'the reset did not happen');
  },
);
