// The two sockets on a real server: idle connections time out, the CLI socket's cap keeps the plugin
// socket answering, and the CLI socket serves only /dvol.

import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { CLI_SOCKET, closeServer, listenUnix } from './listen.js';
import { start } from './main.js';
import { shortDir, testConfig } from './server.testkit.js';

/** A request on its own connection; resolves to the status and the parsed body. */
function call(socketPath: string, method: string, path: string, body = '') {
  return new Promise<{ status: number; body: Record<string, unknown>; ms: number }>((resolve, reject) => {
    const started = Date.now();
    const req = request({ socketPath, path, method, agent: false }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: JSON.parse(text) as Record<string, unknown>,
          ms: Date.now() - started,
        }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Opens a connection that sends nothing; resolves once connected, records when the server closes it. */
function idle(socketPath: string, closed: Set<Socket>): Promise<Socket> {
  return new Promise((resolve) => {
    const socket = connect(socketPath, () => resolve(socket));
    socket.on('error', () => undefined);
    socket.resume();
    socket.on('close', () => closed.add(socket));
  });
}

t.test('a thousand idle CLI connections do not shut Docker out, and they time out', async (t) => {
  const dir = await shortDir(t);
  const cfg = { ...testConfig(dir), socket: join(dir, 'plugin.sock') };
  const running = await start(cfg);
  await running.ready;
  const sockets: Socket[] = [];
  t.teardown(async () => {
    for (const s of sockets) s.destroy();
    await running.stop();
  });

  const closed = new Set<Socket>();
  for (let i = 0; i < 1000; i++) sockets.push(await idle(cfg.cliSocket, closed));
  await sleep(200);
  const open = sockets.filter((s) => !closed.has(s)).length;
  t.ok(open <= CLI_SOCKET.maxConnections, `at most ${CLI_SOCKET.maxConnections} stay open (${open})`);

  const created = await call(cfg.socket, 'POST', '/VolumeDriver.Create', '{"Name":"db"}\n');
  t.same(created.body, {}, `the plugin socket answers Create (${created.ms} ms)`);
  const get = await call(cfg.socket, 'POST', '/VolumeDriver.Get', '{"Name":"db"}\n');
  t.match(get.body, { Volume: { Name: 'db' } });
  t.ok(get.ms < 1000, `and Get within 1 s (${get.ms} ms)`);

  // Idle connections that never send a request are closed after the idle timeout.
  for (
    let waited = 0;
    waited < CLI_SOCKET.idleMs + 5000 && sockets.some((s) => !closed.has(s));
    waited += 500
  )
    await sleep(500);
  t.equal(sockets.filter((s) => !closed.has(s)).length, 0, 'every idle CLI connection was closed');
  const list = await call(cfg.cliSocket, 'GET', '/dvol/volumes');
  t.match(list, { status: 200, body: { volumes: [{ name: 'db' }] } }, 'and the CLI socket serves again');
});

t.test("the CLI socket refuses Docker's plugin calls", async (t) => {
  const dir = await shortDir(t);
  const cfg = { ...testConfig(dir), socket: join(dir, 'plugin.sock') };
  const running = await start(cfg);
  t.teardown(() => running.stop());
  await running.ready;
  for (const path of ['/Plugin.Activate', '/VolumeDriver.Create', '/VolumeDriver.Mount', '/dvolx']) {
    const answer = await call(cfg.cliSocket, 'POST', path, '{"Name":"db","ID":"x"}');
    t.match(
      answer,
      {
        status: 404,
        body: { error: { code: 'not_found', message: /^the CLI socket serves only the \/dvol API/ } },
      },
      path,
    );
  }
  t.same((await call(cfg.socket, 'POST', '/Plugin.Activate')).body, { Implements: ['VolumeDriver'] });
  t.match(await call(cfg.cliSocket, 'GET', '/dvol/version'), { status: 200, body: { version: String } });
});

t.test(
  'a request that runs longer than the idle limit keeps its connection and gets its answer',
  async (t) => {
    const dir = await shortDir(t);
    const socketPath = join(dir, 'slow.sock');
    // A reset waiting for a container that takes long to stop: silent on the wire, but running.
    const slow = async () => {
      await sleep(1500);
      return Response.json({ done: true });
    };
    const limits = { ...CLI_SOCKET, idleMs: 300 };
    const server = await listenUnix(slow, socketPath, undefined, limits);
    t.teardown(() => closeServer(server));
    const answer = await call(socketPath, 'POST', '/dvol/slow', '{}');
    t.same(answer.body, { done: true }, `answered after ${answer.ms} ms, past the 300 ms idle limit`);
    const closed = new Set<Socket>();
    const silent = await idle(socketPath, closed);
    await sleep(1800);
    t.ok(closed.has(silent), 'a connection that sends nothing is still closed at the idle limit');
  },
);
