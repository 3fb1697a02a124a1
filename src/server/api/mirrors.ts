// /dvol: the Redis mirrors (add, list, rm) and a volume's mount policy (exclusive or shared).

import { Hono } from 'hono';
import { jsonBody } from '../body.js';
import type { Env } from '../deps.js';
import { pathOf, reply } from '../respond.js';
import { mirrorAddBody, policyBody } from '../schemas.js';

export const mirrorRoutes = new Hono<Env>()
  .get(pathOf('GET /dvol/mirrors'), (c) =>
    reply(c, 'GET /dvol/mirrors', { mirrors: c.var.deps.mirrors.list() }),
  )
  .post(pathOf('POST /dvol/volumes/:vol/mirrors'), jsonBody(mirrorAddBody), async (c) => {
    const { url, prefix } = c.var.body;
    const mirror = await c.var.deps.mirrors.add(c.req.param('vol'), url, prefix);
    return reply(c, 'POST /dvol/volumes/:vol/mirrors', { mirror }, 201);
  })
  .delete(pathOf('DELETE /dvol/mirrors/:id'), async (c) =>
    reply(c, 'DELETE /dvol/mirrors/:id', { mirror: await c.var.deps.mirrors.remove(c.req.param('id')) }),
  )
  .put(pathOf('PUT /dvol/volumes/:vol/exclusive'), jsonBody(policyBody), async (c) => {
    const volume = await c.var.deps.store.volume(c.req.param('vol')).setExclusive(c.var.body.exclusive);
    return reply(c, 'PUT /dvol/volumes/:vol/exclusive', { volume });
  });
