// The server on real unix sockets when its store cannot be opened: it listens, answers why on every
// call (Get aside when volumes may exist), makes the CLI socket, and opens the store on a request
// after the directory was fixed.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import type { ServerConfig } from './config.js';
import { start } from './main.js';
import { shortDir, testConfig } from './server.testkit.js';

async function config(t: Test): Promise<ServerConfig> {
  const dir = await shortDir(t);
  return { ...testConfig(dir), socket: join(dir, 'plugins', 'dvol.sock') };
}

/** A request as dockerd (POST, no Content-Type) or the CLI makes it; a closed connection is `dropped`. */
function call(
  socketPath: string,
  method: string,
  path: string,
  body = '',
): Promise<{ status: number; body: unknown } | 'dropped'> {
  return new Promise((resolve, reject) => {
    const req = request(
      { socketPath, path, method, headers: { 'Content-Length': Buffer.byteLength(body) } },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown }));
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) =>
      err.code === 'ECONNRESET' ? resolve('dropped') : reject(err),
    );
    req.end(body);
  });
}

const NOT_A_STORE =
  /^the dvol plugin cannot open its state directory: \S+ is not empty and has no format\.json, so it is not a dvol state directory \(it holds 'notes\.txt'\)$/;
const HINT =
  /^remove what is not dvol's from \S+, or point dvol at an empty directory or an existing dvol state directory; dvol tries again at the next docker or dvol command; to use another directory: 'docker plugin disable dvol', 'docker plugin set dvol state.source=DIR', 'docker plugin enable dvol'/;

t.test('a directory that is not a store: every call says why; fixed, the next call opens it', async (t) => {
  const cfg = await config(t);
  await mkdir(cfg.stateDir, { recursive: true });
  await writeFile(join(cfg.stateDir, 'notes.txt'), 'mine');
  const running = await start(cfg);
  t.teardown(() => running.stop());
  await t.rejects(running.ready, { message: /not a dvol state directory/ }, 'the first open failed');

  t.same(await call(cfg.socket, 'POST', '/VolumeDriver.Capabilities', '{}\n'), {
    status: 200,
    body: { Capabilities: { Scope: 'local' } },
  });
  for (const [route, body] of [
    ['Create', '{"Name":"db","Opts":null}\n'],
    ['Get', '{"Name":"db"}\n'],
    ['List', '{}\n'],
    ['Mount', '{"Name":"db","ID":"a"}\n'],
    ['Remove', '{"Name":"db"}\n'],
  ] as const) {
    const answer = await call(cfg.socket, 'POST', `/VolumeDriver.${route}`, body);
    t.match(answer, { status: 200 }, `${route}: 200 with Err, as Docker expects`);
    const [message, hint] = String((answer as { body: { Err?: string } }).body.Err).split('\nhint: ');
    t.match(message, NOT_A_STORE, `${route}: the reason`);
    t.match(hint, HINT, `${route}: the fix`);
  }
  const list = await call(cfg.cliSocket, 'GET', '/dvol/volumes');
  t.match(list, { status: 503, body: { error: { code: 'unavailable', message: NOT_A_STORE, hint: HINT } } });
  t.equal((await stat(cfg.cliSocket)).mode & 0o777, 0o660, 'the CLI socket is there for the docker group');
  t.same(await readdir(cfg.stateDir), ['notes.txt', 'run'], 'nothing but the CLI socket was added');

  await rm(join(cfg.stateDir, 'notes.txt'));
  t.match(
    await call(cfg.cliSocket, 'GET', '/dvol/volumes'),
    { status: 503 },
    'within a second: no retry yet',
  );
  await new Promise((r) => setTimeout(r, 1100));
  t.same(await call(cfg.cliSocket, 'GET', '/dvol/volumes'), {
    status: 200,
    body: { volumes: [], active: null },
  });
  t.same(await call(cfg.socket, 'POST', '/VolumeDriver.Create', '{"Name":"db","Opts":null}\n'), {
    status: 200,
    body: {},
  });
  t.same(JSON.parse(await readFile(join(cfg.stateDir, 'format.json'), 'utf8')), {
    format: 'dvol-store',
    version: 1,
  });
});

t.test('stopped without ever opening, it leaves the directory as it found it', async (t) => {
  const cfg = await config(t);
  await mkdir(cfg.stateDir, { recursive: true });
  await writeFile(join(cfg.stateDir, 'notes.txt'), 'mine');
  const running = await start(cfg);
  await running.ready.catch(() => undefined);
  t.ok(existsSync(cfg.cliSocket));
  await running.stop();
  t.same(await readdir(cfg.stateDir), ['notes.txt']);
});

t.test('a store another process holds: Get is left unanswered, the rest says why', async (t) => {
  const cfg = await config(t);
  const owner = spawn('sleep', ['60']);
  t.teardown(() => owner.kill());
  const procStat = await readFile(`/proc/${owner.pid}/stat`, 'utf8');
  const started = procStat.slice(procStat.lastIndexOf(')') + 2).split(' ')[19];
  await mkdir(cfg.stateDir, { recursive: true });
  await writeFile(join(cfg.stateDir, 'format.json'), '{"format":"dvol-store","version":1}');
  await writeFile(join(cfg.stateDir, 'lock'), `${owner.pid} ${started}\n`);
  const running = await start(cfg);
  t.teardown(() => running.stop());
  await t.rejects(running.ready, { code: 'locked' });

  // Docker forgets a volume whose Get answers without it; a connection closed unanswered it retries.
  t.equal(await call(cfg.socket, 'POST', '/VolumeDriver.Get', '{"Name":"db"}\n'), 'dropped');
  t.match(await call(cfg.socket, 'POST', '/VolumeDriver.Create', '{"Name":"db","Opts":null}\n'), {
    status: 200,
    body: {
      Err: new RegExp(
        `^the dvol plugin cannot open its state directory: the state directory \\S+ is in use by process ${owner.pid}\nhint: stop that dvol process first, or use another state directory; dvol tries again`,
      ),
    },
  });
  t.match(await call(cfg.socket, 'GET', '/dvol/volumes'), {
    status: 503,
    body: { error: { code: 'unavailable' } },
  });
  t.notOk(existsSync(cfg.cliSocket), "no CLI socket: the owner's would be in its place");

  owner.kill();
  await new Promise((r) => owner.once('exit', r));
  await new Promise((r) => setTimeout(r, 1100));
  t.match(
    await call(cfg.socket, 'POST', '/VolumeDriver.Get', '{"Name":"db"}\n'),
    { status: 200, body: { Err: /no such volume|'db'/ } },
    'the owner gone, the store opens on the next call',
  );
  await new Promise((r) => setTimeout(r, 100));
  t.ok(existsSync(cfg.cliSocket), 'and the CLI socket follows');
});
