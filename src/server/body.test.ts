// Request bodies are read up to 1 MiB; larger, deeply nested or long-fielded bodies get one clear error.

import t from 'tap';
import { MAX_BODY_BYTES } from './body.js';
import { api, docker, testServer, type App } from './server.testkit.js';

/** A body of `total` bytes made on demand, counting how much of it the server pulled. */
function hugeBody(total: number): { body: ReadableStream<Uint8Array>; pulled: () => number } {
  const chunk = new TextEncoder().encode('['.repeat(64 * 1024));
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= total) return controller.close();
      sent += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
  return { body, pulled: () => sent };
}

async function post(app: App, path: string, body: BodyInit, headers: Record<string, string> = {}) {
  const started = Date.now();
  const res = await app.request(path, { method: 'POST', body, headers, duplex: 'half' } as RequestInit);
  return {
    status: res.status,
    body: (await res.json()) as Record<string, unknown>,
    ms: Date.now() - started,
  };
}

t.test('a 100 MB body is refused after 1 MiB, fast, without holding it', async (t) => {
  const { app } = await testServer(t);
  const rss = process.memoryUsage().rss;
  for (const path of ['/VolumeDriver.Create', '/dvol/volumes']) {
    const huge = hugeBody(100 * 1024 * 1024);
    const answer = await post(app, path, huge.body);
    t.ok(answer.ms < 1000, `${path} answered in ${answer.ms} ms`);
    t.ok(huge.pulled() <= MAX_BODY_BYTES + 128 * 1024, `${path} read ${huge.pulled()} bytes, not 100 MB`);
    const message = /the request body is larger than 1048576 bytes/;
    if (path.startsWith('/VolumeDriver.')) t.match(answer, { status: 200, body: { Err: message } });
    else t.match(answer, { status: 413, body: { error: { code: 'invalid', message } } });
  }
  t.ok(process.memoryUsage().rss - rss < 100 * 1024 * 1024, 'memory stays bounded');
});

t.test('a declared Content-Length over the limit is refused before reading', async (t) => {
  const { app } = await testServer(t);
  const huge = hugeBody(100 * 1024 * 1024);
  const answer = await post(app, '/VolumeDriver.Mount', huge.body, { 'Content-Length': String(100 << 20) });
  t.match(answer.body, { Err: /larger than 1048576 bytes/ });
  t.ok(huge.pulled() <= 128 * 1024, `read ${huge.pulled()} bytes`);
});

t.test('deep nesting within the limit is answered fast with one error', async (t) => {
  const { app } = await testServer(t);
  const depth = MAX_BODY_BYTES / 2 - 16;
  for (const text of [
    '['.repeat(depth) + ']'.repeat(depth),
    `{"Name":"db","X":${'['.repeat(depth)}${']'.repeat(depth)}}`,
    '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000),
  ]) {
    const answer = await post(app, '/VolumeDriver.Create', new TextEncoder().encode(text));
    t.ok(answer.ms < 1000, `answered in ${answer.ms} ms`);
    t.match(answer, { status: 200, body: { Err: /nests arrays or objects deeper than 32 levels/ } });
  }
  t.match((await docker(app, 'VolumeDriver.List', {})).body, { Volumes: Array });
});

t.test('long fields are refused with their limit, and never echoed whole', async (t) => {
  const { app } = await testServer(t);
  const long = 'x'.repeat(300_000);
  const create = await docker(app, 'VolumeDriver.Create', { Name: long });
  t.match(create.body.Err, /^bad request body: body\/Name must be at most 256 characters long\n/);
  await api(app, 'POST', '/volumes', { name: 'db' });
  const cases: [string, string, object, RegExp][] = [
    [
      'POST',
      '/volumes/db/commits',
      { message: long, author: 'A <a@b>' },
      /body\/message must be at most 65536/,
    ],
    ['POST', '/volumes/db/commits', { message: 'm', author: long }, /body\/author must be at most 1024/],
    ['POST', '/volumes/db/reset', { ref: long, hard: true }, /body\/ref must be at most 1024/],
    ['POST', '/volumes/db/checkout', { branch: long }, /body\/branch must be at most 256/],
    ['POST', '/volumes/db/tags', { name: long }, /body\/name must be at most 256/],
  ];
  for (const [method, path, body, message] of cases) {
    const answer = await api(app, method, path, body);
    t.match(answer, { status: 400, body: { error: { code: 'invalid', message } } }, path);
  }
  // A name just within the schema's cap is the storage layer's to refuse; its answer quotes a prefix.
  const err = (await docker(app, 'VolumeDriver.Create', { Name: 'y'.repeat(256) })).body.Err as string;
  t.match(
    err,
    /^invalid volume name 'y{64}…' \(256 characters\): it is 256 characters long, the limit is 64/,
  );
  const unknown = (await api(app, 'POST', '/volumes', { name: 'db', [long]: 1 })).body.error as {
    message: string;
  };
  t.ok(unknown.message.length < 2100, `an unknown field's name is cut (${unknown.message.length} chars)`);
});
