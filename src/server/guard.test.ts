// The guard's record of held containers and its resume after a kill. A killed plugin's Docker cannot
// be made in a unit test (test/faults/plugin-kill.test.ts does it for real), so these run against a
// fake Engine API on a unix socket: a container list with states, and stop/start/pause/unpause.

import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { openTestStore } from '../storage/store.testkit.js';
import { mountedUnder, unmount } from './bind.js';
import { Containers } from './containers.js';
import { VolumeGuard } from './guard.js';
import { HeldContainers } from './held.js';
import { Mountpoints } from './mountpoints.js';
import { shortDir } from './server.testkit.js';

const isRoot = process.getuid?.() === 0;
const root = { skip: !isRoot && 'mounting needs root' };
const id = (c: string) => c.repeat(64);

/** A fake Engine API: containers by id, each with a state, all using volume `db` of driver dvol. */
async function fakeEngine(t: Test, states: Record<string, string>, onStop?: () => void) {
  const containers = new Map(Object.entries(states).map(([name, state]) => [id(name), { name, state }]));
  const calls: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://engine');
    const answer = (status: number, body?: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(body === undefined ? '' : JSON.stringify(body));
    };
    if (req.method === 'GET' && url.pathname === '/containers/json') {
      const all = url.searchParams.get('all') === '1';
      const listed = [...containers].filter(([, c]) => all || ['running', 'paused'].includes(c.state));
      return answer(
        200,
        listed.map(([Id, c]) => ({
          Id,
          Names: [`/${c.name}`],
          State: c.state,
          Mounts: [{ Type: 'volume', Name: 'db', Driver: 'dvol:latest' }],
        })),
      );
    }
    const [, , cid, action] = url.pathname.split('/');
    const c = containers.get(cid ?? '');
    if (c === undefined) return answer(404, { message: `No such container: ${cid}` });
    if (req.method === 'GET' && action === 'json')
      return answer(200, { State: { Paused: c.state === 'paused' } });
    calls.push(`${action} ${c.name}`);
    const wanted = { stop: 'exited', start: 'running', pause: 'paused', unpause: 'running' }[action ?? ''];
    if (wanted === undefined) return answer(404, { message: 'no such route' });
    if (action === 'stop') onStop?.();
    // Docker 20.10 answers 500 here (409 from 23.0).
    if (action === 'unpause' && c.state !== 'paused')
      return answer(500, { message: `Container ${cid} is not paused` });
    if (c.state === wanted) return answer(304);
    c.state = wanted;
    answer(204);
  });
  const socket = join(await shortDir(t), 'docker.sock');
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  const set = (name: string, state: string) => {
    const c = containers.get(id(name));
    if (c) c.state = state;
  };
  return { socket, calls, state: (name: string) => containers.get(id(name))?.state, set };
}

/** A guard over a real store with volume `db`, a real mounts root, and the fake engine at `socket`. */
async function guardOn(t: Test, socket: string, before?: (state: string) => Promise<void>) {
  const dir = t.testdir();
  const state = join(dir, 'state');
  const store = await openTestStore(t, { root: state });
  await store.createVolume('db');
  await before?.(state);
  const mnt = join(dir, 'mnt');
  t.teardown(async () => {
    // An Unmount's unbind may still be running when the test ends: whichever comes second fails.
    for (const name of await mountedUnder(mnt).catch(() => new Set<string>())) {
      await unmount(join(mnt, name)).catch(() => undefined);
    }
  });
  const mountpoints = await Mountpoints.open(store, mnt);
  const held = await HeldContainers.open(state);
  const guard = new VolumeGuard(store, mountpoints, new Containers(socket), held);
  return { store, mountpoints, held, guard, state };
}

t.test(
  'stopped: the containers are recorded before the stop and forgotten once started (fake engine)',
  root,
  async (t) => {
    let recordedAtStop: boolean | undefined;
    const engine = await fakeEngine(t, { a: 'running', b: 'paused' }, () => {
      recordedAtStop ??= existsSync(join(held.dir, 'db.json'));
    });
    const { store, mountpoints, held, guard } = await guardOn(t, engine.socket);
    await mountpoints.mount('db', id('1'));
    // The fake sends no Unmount: the test does, as Docker would after the stop.
    const unmountSoon = setTimeout(() => void mountpoints.unmount('db', id('1')), 200);
    t.teardown(() => clearTimeout(unmountSoon));
    const { restarted } = await guard.stopped('db', "reset of volume 'db'", async () => {
      t.same(
        (await held.leftovers()).map((r) => [r.action, r.containers.map((c) => c.name)]),
        [['stop', ['a', 'b']]],
        'while operating, both are recorded as stopped',
      );
      t.equal(store.mounts.count('db'), 0, 'and unmounted');
    });
    t.equal(recordedAtStop, true, 'the record was on disk when the first stop was asked');
    t.same(restarted.sort(), ['a', 'b']);
    t.same(await held.leftovers(), [], 'the record is gone once they run again');
  },
);

t.test(
  'resume after a kill during reset: finishes the stops, clears the lost mounts, starts (fake engine)',
  root,
  async (t) => {
    // The dead plugin recorded a and b, stopped a (whose Unmount it never heard), and died before b.
    const engine = await fakeEngine(t, { a: 'exited', b: 'running', c: 'exited' });
    const { store, mountpoints, held, guard } = await guardOn(t, engine.socket, async (state) => {
      const before = await HeldContainers.open(state);
      await before.record('db', 'stop', "reset of volume 'db'", [
        { id: id('a'), name: 'a', state: 'running' },
        { id: id('b'), name: 'b', state: 'running' },
        { id: id('g'), name: 'gone', state: 'running' },
      ]);
    });
    // The dead plugin's holders, and one a container starting now mounted through this process.
    await store.mounts.acquire('db', id('9'));
    await store.mounts.acquire('db', id('8'));
    await mountpoints.mount('db', id('7'));
    await guard.resume(await held.leftovers());
    t.same(
      engine.calls.sort(),
      ['start a', 'start b', 'stop a', 'stop b'],
      'the stops are finished, then both start; c was never held; gone is skipped',
    );
    t.equal(engine.state('b'), 'running');
    t.same(store.mounts.holders('db'), { [id('7')]: 1 }, "the dead plugin's holders are cleared, not ours");
    t.same(await held.leftovers(), [], 'the record is gone');

    engine.calls.length = 0;
    const unmountSoon = setTimeout(() => void mountpoints.unmount('db', id('7')), 200);
    t.teardown(() => clearTimeout(unmountSoon));
    const { restarted } = await guard.stopped('db', "reset of volume 'db'", async () => {
      t.equal(store.mounts.count('db'), 0, 'the next reset finds it unmounted');
    });
    t.same(restarted.sort(), ['a', 'b']);
  },
);

t.test('resume after a kill during commit: unpauses what is still paused (fake engine)', async (t) => {
  const engine = await fakeEngine(t, { a: 'paused', b: 'running' });
  const { held, guard } = await guardOn(t, engine.socket, async (state) => {
    await (
      await HeldContainers.open(state)
    ).record('db', 'pause', "commit of volume 'db'", [
      { id: id('a'), name: 'a', state: 'running' },
      { id: id('b'), name: 'b', state: 'running' },
    ]);
  });
  await guard.resume(await held.leftovers());
  t.same(engine.calls, ['unpause a'], 'a is unpaused; b, which an unpause already reached, is left alone');
  t.same(await held.leftovers(), []);
});

t.test('a lost Unmount of a reused mount ID is cleared once nothing runs (fake engine)', root, async (t) => {
  const engine = await fakeEngine(t, { a: 'running' });
  const { store, mountpoints, guard } = await guardOn(t, engine.socket);
  // The dead plugin counted the mount; its Unmount was lost. Docker mounts again with that ID.
  await store.mounts.acquire('db', id('5'));
  await mountpoints.mount('db', id('5'));
  t.equal(store.mounts.count('db'), 2, 'the reused ID counts 2 for one container');
  const unmountSoon = setTimeout(() => void mountpoints.unmount('db', id('5')), 200);
  t.teardown(() => clearTimeout(unmountSoon));
  const started = Date.now();
  await guard.stopped('db', "checkout of volume 'db'", async () => {
    t.equal(store.mounts.count('db'), 0, 'the count left after its Unmount is cleared');
  });
  t.ok(Date.now() - started < 5000, `no 15 s wait (${Date.now() - started} ms)`);
  t.equal(engine.state('a'), 'running', 'and the container is started again');
});

t.test(
  'after a restart, lost mounts are cleared only when the running containers are ours (fake engine)',
  root,
  async (t) => {
    // live: a container that outlived the restart (live-restore) on volume db; nothing else counts.
    const engine = await fakeEngine(t, { live: 'running' });
    const { store, mountpoints, guard } = await guardOn(t, engine.socket);
    await store.mounts.acquire('db', id('1'));
    await guard.resume([]);
    t.equal(store.mounts.count('db'), 1, 'a running container this process never saw mount keeps its count');
    t.equal(await mountpoints.clearLost('db'), 1, 'clearLost itself would have cleared it');
  },
);

t.test(
  'a commit whose paused container was stopped meanwhile succeeds (fake engine: Docker 20.10 answers 500 to the unpause)',
  async (t) => {
    const engine = await fakeEngine(t, { a: 'running', b: 'running' });
    const { store, held, guard } = await guardOn(t, engine.socket);
    await store.mounts.acquire('db', id('1'));
    await store.mounts.acquire('db', id('2'));
    const result = await guard.paused('db', "commit of volume 'db'", async () => {
      engine.set('a', 'exited'); // docker stop a, while the commit runs
      return 'committed';
    });
    t.equal(result, 'committed', 'nothing was left to unpause in a: no failure');
    t.same(engine.calls.sort(), ['pause a', 'pause b', 'unpause a', 'unpause b']);
    t.equal(engine.state('b'), 'running');
    t.same(await held.leftovers(), []);
  },
);
