// /dvol: what each commit and scheduled snapshot of a volume costs on disk (`dvol du`).

import { Hono } from 'hono';
import type { DuAnswer } from '../../api/du.js';
import type { Env } from '../deps.js';

export const duRoutes = new Hono<Env>().get('/volumes/:vol/du', async (c) => {
  const vol = c.var.deps.store.volume(c.req.param('vol'));
  const answer: DuAnswer = { du: await vol.du() };
  return c.json(answer);
});
