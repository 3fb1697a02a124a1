// /dvol: branches of one volume: list, checkout (create or switch), delete.

import { Hono } from 'hono';
import { jsonBody } from '../body.js';
import type { Env } from '../deps.js';
import * as ops from '../operations.js';
import { pathOf, reply } from '../respond.js';
import { checkoutBody } from '../schemas.js';

export const branchRoutes = new Hono<Env>()
  .get(pathOf('GET /dvol/volumes/:vol/branches'), async (c) => {
    const vol = c.var.deps.store.volume(c.req.param('vol'));
    return reply(c, 'GET /dvol/volumes/:vol/branches', { branches: await vol.branches() });
  })
  .post(pathOf('POST /dvol/volumes/:vol/checkout'), jsonBody(checkoutBody), async (c) => {
    const answer = await ops.checkout(c.var.deps, c.req.param('vol'), c.var.body);
    return reply(c, 'POST /dvol/volumes/:vol/checkout', answer);
  })
  .delete(pathOf('DELETE /dvol/volumes/:vol/branches/:branch'), async (c) => {
    const force = ['1', 'true'].includes(c.req.query('force') ?? '');
    const answer = await ops.deleteBranch(c.var.deps, c.req.param('vol'), c.req.param('branch'), { force });
    return reply(c, 'DELETE /dvol/volumes/:vol/branches/:branch', answer);
  });
