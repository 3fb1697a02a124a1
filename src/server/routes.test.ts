// The server serves exactly the /dvol routes of the API's table (src/api/routes.ts), which types
// both the handlers' answers and the CLI's client.

import t from 'tap';
import { ROUTE_KEYS } from '../api/routes.js';
import { testServer } from './server.testkit.js';

t.test('the app serves every route of the table, and no other /dvol route', async (t) => {
  const { app } = await testServer(t);
  const served = app.routes
    .filter((r) => r.method !== 'ALL' && r.path.startsWith('/dvol/'))
    .map((r) => `${r.method} ${r.path}`);
  t.same([...new Set(served)].sort(), [...ROUTE_KEYS].sort());
});
