// The events stream, read the way `dvol watch` reads it: through the app, on a real store and a real
// watch of the volume's data. File changes, a commit and (as root) Docker's Mount and Unmount.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { AUTHOR } from '../../storage/store.testkit.js';
import { api, docker, testServer, type App } from '../server.testkit.js';

const isRoot = process.getuid?.() === 0;

/** Opens the stream; `next(pred)` waits for a line that matches, `close()` drops the connection. */
async function follow(app: App, volume: string) {
  const controller = new AbortController();
  const res = await app.request(`/dvol/volumes/${volume}/events`, { signal: controller.signal });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  const lines: Record<string, unknown>[] = [];
  const next = async (what: string, pred: (line: Record<string, unknown>) => boolean, ms = 3000) => {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = lines.findIndex(pred);
      if (found >= 0) return lines.splice(0, found + 1).at(-1)!;
      if (Date.now() > deadline) throw new Error(`no ${what} in ${ms} ms; got ${JSON.stringify(lines)}`);
      const timer = new Promise<undefined>((r) => setTimeout(r, deadline - Date.now()));
      const chunk = await Promise.race([reader.read(), timer]);
      if (chunk === undefined) continue;
      if (chunk.done) throw new Error(`the stream ended before ${what}`);
      buffered += chunk.value;
      for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
        lines.push(JSON.parse(buffered.slice(0, nl)) as Record<string, unknown>);
        buffered = buffered.slice(nl + 1);
      }
    }
  };
  const close = async () => {
    controller.abort();
    await reader.cancel().catch(() => undefined);
  };
  return { res, next, close };
}

t.test('a write is seen within a second; a commit is an event too', async (t) => {
  const { app, store } = await testServer(t, { dockerSocket: '/nonexistent/docker.sock' });
  await api(app, 'POST', '/volumes', { name: 'db' });
  const stream = await follow(app, 'db');
  t.teardown(stream.close);
  t.equal(stream.res.headers.get('content-type'), 'application/x-ndjson');
  t.same(await stream.next('watching', () => true), { watching: 'db' });
  const start = Date.now();
  await writeFile(join(await store.volume('db').dataPath(), 'key1'), 'value1\n');
  const created = await stream.next('created', (l) => l.type === 'created', 1000);
  t.match(created, { volume: 'db', type: 'created', path: 'key1', kind: 'file' });
  t.ok(Date.now() - start < 1000, `seen after ${Date.now() - start} ms`);
  t.ok(!Number.isNaN(Date.parse(created.time as string)), 'with its time');

  const commit = await api(app, 'POST', '/volumes/db/commits', { message: 'one', author: AUTHOR });
  const id = (commit.body.commit as { id: string }).id;
  t.match(await stream.next('commit', (l) => l.type === 'commit'), {
    type: 'commit',
    branch: 'master',
    commit: id,
  });
});

t.test('an unknown volume is a normal error, not a stream', async (t) => {
  const { app } = await testServer(t, { dockerSocket: '/nonexistent/docker.sock' });
  const res = await app.request('/dvol/volumes/nope/events');
  t.equal(res.status, 404);
  t.match(await res.json(), { error: { code: 'not_found' } });
});

t.test('Mount and Unmount are events', { skip: !isRoot && 'mounting needs root' }, async (t) => {
  const { app } = await testServer(t, { dockerSocket: '/nonexistent/docker.sock' });
  await docker(app, 'VolumeDriver.Create', { Name: 'db', Opts: null });
  const stream = await follow(app, 'db');
  t.teardown(stream.close);
  await stream.next('watching', () => true);
  const id = 'c'.repeat(64);
  await docker(app, 'VolumeDriver.Mount', { Name: 'db', ID: id });
  t.match(await stream.next('mount', (l) => l.type === 'mount'), { type: 'mount', id });
  await docker(app, 'VolumeDriver.Unmount', { Name: 'db', ID: id });
  t.match(await stream.next('unmount', (l) => l.type === 'unmount'), { type: 'unmount', id });
});
