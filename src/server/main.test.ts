// The server on real unix sockets: start-up time, socket permissions, Docker-shaped requests, SIGTERM.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { request } from 'node:http';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import t from 'tap';
import { createApp } from './app.js';
import type { ServerConfig } from './config.js';
import type { Deps } from './deps.js';
import { start } from './main.js';
import { docker, shortDir, testConfig, testServer } from './server.testkit.js';

function config(dir: string): ServerConfig {
  return { ...testConfig(dir), socket: join(dir, 'plugins', 'dvol.sock') };
}

/** A POST as Go's http client sends it for a plugin call: no Content-Type, a trailing newline. */
function post(socketPath: string, path: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath,
        path,
        method: 'POST',
        headers: {
          Accept: 'application/vnd.docker.plugins.v1.2+json',
          'Content-Length': Buffer.byteLength(body),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The request bytes Go's client sends to a plugin socket, with the empty Host of Docker 20.10. */
function rawPost(socketPath: string, path: string, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath, () => {
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: \r\nUser-Agent: Go-http-client/1.1\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
          `Accept: application/vnd.docker.plugins.v1.2+json\r\nConnection: close\r\n\r\n${body}`,
      );
    });
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString()));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}

t.test('listens at once on both sockets; the CLI socket is for the Docker group', async (t) => {
  const cfg = config(await shortDir(t));
  const started = Date.now();
  const running = await start(cfg);
  t.teardown(() => running.stop());
  t.ok(Date.now() - started < 2000, 'listening within 2 s');
  await running.ready;

  const created = await post(cfg.socket, '/VolumeDriver.Create', '{"Name":"db","Opts":null}\n');
  t.same(created, { status: 200, text: '{}' });
  // Docker 20.10 sends an empty Host header over plugin sockets: written raw, as Go does.
  t.match(
    await rawPost(cfg.socket, '/VolumeDriver.Get', '{"Name":"db"}\n'),
    /^HTTP\/1\.1 200 .*"Name":"db"/s,
    'an empty Host header is fine',
  );
  const activate = await post(cfg.socket, '/Plugin.Activate', '');
  t.same(JSON.parse(activate.text), { Implements: ['VolumeDriver'] });
  const get = await post(cfg.cliSocket, '/VolumeDriver.Get', '{"Name":"db"}\n');
  t.match(JSON.parse(get.text), { error: { code: 'not_found' } }, "the CLI socket refuses Docker's calls");

  const sock = await stat(cfg.cliSocket);
  t.equal(sock.mode & 0o777, 0o660, 'CLI socket mode 0660');
  const dockerGid = existsSync(cfg.dockerSocket) ? (await stat(cfg.dockerSocket)).gid : 0;
  t.equal(sock.gid, dockerGid, "owned by the Docker socket's group");
  t.equal((await stat(cfg.stateDir)).mode & 0o011, 0o011, 'the state directory can be traversed');
  t.equal(running.servers[0]?.keepAliveTimeout, 600_000, 'keep-alive outlives Docker idle connections');

  await running.stop();
  t.notOk(existsSync(cfg.socket), 'the socket is gone after stop');
});

t.test('a stale socket left by a killed server is replaced', async (t) => {
  const cfg = config(await shortDir(t));
  await mkdir(dirname(cfg.socket), { recursive: true });
  const script = `require('net').createServer().listen(${JSON.stringify(cfg.socket)}, () => console.log('up'))`;
  const killed = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve) => killed.stdout.once('data', resolve));
  killed.kill('SIGKILL');
  await new Promise((resolve) => killed.once('exit', resolve));
  t.ok(existsSync(cfg.socket), 'the killed process left its socket file');

  const running = await start(cfg);
  t.teardown(() => running.stop());
  await running.ready;
  t.equal((await post(cfg.socket, '/VolumeDriver.List', '{}\n')).status, 200);
});

t.test('requests wait for the store instead of answering "no such volume"', async (t) => {
  const { deps } = await testServer(t);
  await deps.store.createVolume('db');
  let open!: (deps: Deps) => void;
  const app = createApp(new Promise<Deps>((resolve) => (open = resolve)));
  const pending = docker(app, 'VolumeDriver.Get', { Name: 'db' });
  t.same(
    await docker(app, 'VolumeDriver.Capabilities', {}),
    { status: 200, body: { Capabilities: { Scope: 'local' } } },
    'Capabilities does not wait',
  );
  open(deps);
  t.match(await pending, { status: 200, body: { Volume: { Name: 'db' } } });
});

t.test('node runs main.ts as PID 1 would: SIGTERM closes the socket and exits 0', async (t) => {
  const cfg = config(await shortDir(t));
  const env = {
    ...process.env,
    DVOL_STATE: cfg.stateDir,
    DVOL_SOCKET: cfg.socket,
    DVOL_MOUNTS: cfg.mountsRoot,
    DVOL_DRIVER: 'plain',
  };
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'main.ts')], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  t.teardown(() => child.kill('SIGKILL'));
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 10_000;
  while (!out.includes('store open') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  t.match(out, /listening on .*dvol\.sock/);
  t.same(await post(cfg.socket, '/VolumeDriver.Capabilities', '{}\n'), {
    status: 200,
    text: '{"Capabilities":{"Scope":"local"}}',
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  t.equal(await exited, 0, 'exit status 0');
  t.notOk(existsSync(cfg.socket), 'socket removed');
});

t.test('stop() lets a running request finish before closing', async (t) => {
  const cfg = config(await shortDir(t));
  const running = await start(cfg);
  const deps = await running.ready;
  await deps.store.createVolume('db');
  // A commit of 'db' queues behind the operation the gate holds open.
  let finish!: () => void;
  const gate = new Promise<void>((resolve) => (finish = resolve));
  const operation = deps.guard.paused('db', 'a test operation', () => gate);
  const body = JSON.stringify({ message: 'during shutdown', author: 'A <a@example.com>' });
  const commit = post(cfg.socket, '/dvol/volumes/db/commits', body);
  await new Promise((r) => setTimeout(r, 100));
  let stopped = false;
  const stopping = running.stop().then(() => (stopped = true));
  await new Promise((r) => setTimeout(r, 200));
  t.notOk(stopped, 'stop waits for the running request');
  finish();
  await operation;
  t.match(await commit, { status: 201 }, 'the request completed');
  await stopping;
  t.notOk(existsSync(cfg.socket), 'then the socket closed');
});
