// GET /dvol/volumes/VOL/diff in-process on a real store: the NDJSON stream, the summary, errors.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { AUTHOR } from '../../storage/store.testkit.js';
import { api, testServer } from '../server.testkit.js';

/** The lines of an NDJSON answer, parsed. */
async function lines(res: Response): Promise<Record<string, unknown>[]> {
  const text = await res.text();
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

t.test('a streamed diff: sides, one line per entry, totals last', async (t) => {
  const { app, store } = await testServer(t);
  await api(app, 'POST', '/volumes', { name: 'db' });
  const vol = store.volume('db');
  const dir = await vol.dataPath();
  await writeFile(join(dir, 'schema'), 'v1');
  const c1 = await vol.commit({ message: 'import base schema', author: AUTHOR });
  await writeFile(join(dir, 'schema'), 'v2 longer');
  await writeFile(Buffer.concat([Buffer.from(`${dir}/`), Buffer.from([0x66, 0xff])]), 'x');

  const res = await app.request('/dvol/volumes/db/diff');
  t.equal(res.status, 200);
  t.equal(res.headers.get('content-type'), 'application/x-ndjson');
  const [head, ...rest] = await lines(res);
  t.match(head, { from: { id: c1.id, message: 'import base schema' }, to: null, branch: 'master' });
  t.same(rest.at(-1), {
    totals: { added: 1, modified: 1, deleted: 0, typeChanged: 0, bytesChanged: 10 },
  });
  const entries = rest.slice(0, -1).map((l) => l.entry as Record<string, unknown>);
  t.match(entries, [
    { path: 'f\\xff', pathBase64: Buffer.from([0x66, 0xff]).toString('base64'), status: 'A', sizeDelta: 1 },
    { path: 'schema', status: 'M', sizeDelta: 7, changes: ['content'], from: { size: 2 }, to: { size: 9 } },
  ]);

  const summary = await api(app, 'GET', `/volumes/db/diff?from=${c1.id.slice(0, 7)}&summary=1`);
  t.match(summary, { status: 200, body: { from: { id: c1.id }, totals: { added: 1, modified: 1 } } });
});

t.test('bad refs and volumes get an error status before any line', async (t) => {
  const { app } = await testServer(t);
  await api(app, 'POST', '/volumes', { name: 'db' });
  t.match(await api(app, 'GET', '/volumes/db/diff?from=nope'), {
    status: 404,
    body: { error: { code: 'not_found', message: "no branch, tag or commit 'nope' in volume 'db'" } },
  });
  t.match(await api(app, 'GET', '/volumes/none/diff'), {
    status: 404,
    body: { error: { code: 'not_found' } },
  });
  const empty = await lines(await app.request('/dvol/volumes/db/diff'));
  t.same(empty, [
    { from: null, to: null, branch: 'master' },
    { totals: { added: 0, modified: 0, deleted: 0, typeChanged: 0, bytesChanged: 0 } },
  ]);
});

t.test('a client that stops reading releases the volume', async (t) => {
  const { app, store } = await testServer(t);
  await api(app, 'POST', '/volumes', { name: 'db' });
  const vol = store.volume('db');
  const dir = await vol.dataPath();
  for (let i = 0; i < 2000; i++) await writeFile(join(dir, `f${i}`), 'x');
  const res = await app.request('/dvol/volumes/db/diff');
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  t.ok((await reader.read()).value, 'the first line arrived');
  await reader.cancel();
  const commit = await vol.commit({ message: 'after the diff', author: AUTHOR });
  t.equal(commit.message, 'after the diff', 'the lock was released: commit went through');
});
