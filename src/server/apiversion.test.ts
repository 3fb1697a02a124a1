// The API version exchange on the real app: every /dvol answer names the plugin's API and dvol
// versions, and a CLI of another API major is refused with the sentence that says which to upgrade.
// The "other CLI" is a request carrying another version in its header, as that CLI would send it.

import t from 'tap';
import { testServer } from './server.testkit.js';

async function get(app: Awaited<ReturnType<typeof testServer>>['app'], path: string, headers = {}) {
  const res = await app.request(`/dvol${path}`, { headers });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

t.test('every /dvol answer carries the API and dvol versions, errors too', async (t) => {
  const { app } = await testServer(t);
  for (const path of ['/version', '/volumes', '/volumes/nope', '/no-such-route']) {
    const res = await get(app, path);
    t.equal(res.headers.get('dvol-api-version'), '1.0', `${path}: API version`);
    t.equal(res.headers.get('dvol-version'), '0.1.0', `${path}: dvol version`);
  }
  t.match((await get(app, '/version')).body, { api: '1.0', version: '0.1.0' });
});

t.test('a CLI of the same major, or one older than the exchange (no header), is served', async (t) => {
  const { app } = await testServer(t);
  t.equal((await get(app, '/volumes')).status, 200, 'no header');
  t.equal((await get(app, '/volumes', { 'dvol-api-version': '1.0' })).status, 200, '1.0');
  t.equal((await get(app, '/volumes', { 'dvol-api-version': '1.7' })).status, 200, 'a later minor');
});

t.test('a newer CLI is told to upgrade the plugin, an older one to upgrade itself', async (t) => {
  const { app } = await testServer(t);
  const newer = await get(app, '/volumes', { 'dvol-api-version': '2.0', 'dvol-version': '0.9.0' });
  t.equal(newer.status, 501);
  t.same(newer.body, {
    error: {
      code: 'unsupported',
      message:
        "this dvol CLI '0.9.0' speaks API 2.0 but the dvol plugin 0.1.0 speaks API 1.0: the plugin is older",
      hint: "upgrade the plugin to the CLI's version ('docker plugin upgrade', or 'npm run setup' in a checkout), or use a dvol CLI 0.1.0",
    },
  });
  t.equal(newer.headers.get('dvol-api-version'), '1.0', 'the refusal names the API too');

  const older = await get(app, '/volumes', { 'dvol-api-version': '0.3' });
  t.equal(older.status, 501);
  t.match(older.body, {
    error: {
      code: 'unsupported',
      message: 'this dvol CLI speaks API 0.3 but the dvol plugin 0.1.0 speaks API 1.0: the CLI is older',
      hint: /^upgrade the CLI to 0\.1\.0/,
    },
  });
});

t.test('a version that is not MAJOR.MINOR is refused, and not echoed whole', async (t) => {
  const { app } = await testServer(t);
  const res = await get(app, '/volumes', { 'dvol-api-version': `1${'x'.repeat(5000)}` });
  t.equal(res.status, 400);
  t.match(res.body, { error: { code: 'invalid', message: /which is not MAJOR\.MINOR$/ } });
  t.ok(JSON.stringify(res.body).length < 400, 'the answer stays short');
  t.equal((await get(app, '/volumes', { 'dvol-api-version': '1' })).status, 400, 'a major alone');
});
