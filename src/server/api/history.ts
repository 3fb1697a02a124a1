// /dvol: commits (log, commit, resolve, delete data), reset and tags of one volume.

import { Hono } from 'hono';
import { DvolError } from '../../storage/errors.js';
import { jsonBody } from '../body.js';
import type { Env } from '../deps.js';
import * as ops from '../operations.js';
import { pathOf, reply } from '../respond.js';
import { commitBody, refBody, resetBody, tagBody } from '../schemas.js';

export const historyRoutes = new Hono<Env>()
  .get(pathOf('GET /dvol/volumes/:vol/commits'), async (c) => {
    const vol = c.var.deps.store.volume(c.req.param('vol'));
    return reply(c, 'GET /dvol/volumes/:vol/commits', { commits: await vol.log(c.req.query('ref')) });
  })
  .post(pathOf('POST /dvol/volumes/:vol/commits'), jsonBody(commitBody), async (c) => {
    const commit = await ops.commit(c.var.deps, c.req.param('vol'), c.var.body);
    return reply(c, 'POST /dvol/volumes/:vol/commits', { commit }, 201);
  })
  .post(pathOf('POST /dvol/volumes/:vol/commits/delete'), jsonBody(refBody), async (c) => {
    const commit = await ops.deleteCommitData(c.var.deps, c.req.param('vol'), c.var.body.ref);
    return reply(c, 'POST /dvol/volumes/:vol/commits/delete', { commit });
  })
  .get(pathOf('GET /dvol/volumes/:vol/resolve'), async (c) => {
    const vol = c.var.deps.store.volume(c.req.param('vol'));
    const ref = c.req.query('ref');
    if (ref === undefined) {
      throw new DvolError('invalid', "the 'ref' query parameter is missing", 'ask for /resolve?ref=HEAD');
    }
    return reply(c, 'GET /dvol/volumes/:vol/resolve', { commit: await vol.resolve(ref) });
  })
  .post(pathOf('POST /dvol/volumes/:vol/reset'), jsonBody(resetBody), async (c) => {
    const answer = await ops.reset(c.var.deps, c.req.param('vol'), c.var.body);
    return reply(c, 'POST /dvol/volumes/:vol/reset', answer);
  })
  .get(pathOf('GET /dvol/volumes/:vol/tags'), async (c) => {
    const vol = c.var.deps.store.volume(c.req.param('vol'));
    return reply(c, 'GET /dvol/volumes/:vol/tags', { tags: await vol.tags() });
  })
  .post(pathOf('POST /dvol/volumes/:vol/tags'), jsonBody(tagBody), async (c) => {
    const { name, ref } = c.var.body;
    const tag = await ops.createTag(c.var.deps, c.req.param('vol'), name, ref);
    return reply(c, 'POST /dvol/volumes/:vol/tags', { tag }, 201);
  })
  .delete(pathOf('DELETE /dvol/volumes/:vol/tags/:tag'), async (c) => {
    await ops.deleteTag(c.var.deps, c.req.param('vol'), c.req.param('tag'));
    return reply(c, 'DELETE /dvol/volumes/:vol/tags/:tag', {});
  });
