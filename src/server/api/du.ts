// /dvol: what each commit and scheduled snapshot of a volume costs on disk (`dvol du`).

import { Hono } from 'hono';
import type { Env } from '../deps.js';
import { pathOf, reply } from '../respond.js';

export const duRoutes = new Hono<Env>().get(pathOf('GET /dvol/volumes/:vol/du'), async (c) => {
  const vol = c.var.deps.store.volume(c.req.param('vol'));
  return reply(c, 'GET /dvol/volumes/:vol/du', { du: await vol.du() });
});
