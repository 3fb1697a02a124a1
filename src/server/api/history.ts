// /dvol: commits (log, commit, resolve, delete data), reset and tags of one volume.

import { Hono } from 'hono';
import { DvolError } from '../../storage/errors.js';
import { jsonBody } from '../body.js';
import type { Env } from '../deps.js';
import { commitBody, refBody, resetBody, tagBody } from '../schemas.js';

export const historyRoutes = new Hono<Env>()
  .get('/volumes/:vol/commits', async (c) => {
    const vol = c.var.deps.store.volume(c.req.param('vol'));
    return c.json({ commits: await vol.log(c.req.query('ref')) });
  })
  .post('/volumes/:vol/commits', jsonBody(commitBody), async (c) => {
    const { store, guard } = c.var.deps;
    const vol = store.volume(c.req.param('vol'));
    const commit = await guard.paused(vol.name, `commit of volume '${vol.name}'`, () =>
      vol.commit(c.var.body),
    );
    return c.json({ commit }, 201);
  })
  .post('/volumes/:vol/commits/delete', jsonBody(refBody), async (c) => {
    const vol = c.var.deps.store.volume(c.req.param('vol'));
    return c.json({ commit: await vol.deleteCommitData(c.var.body.ref) });
  })
  .get('/volumes/:vol/resolve', async (c) => {
    const vol = c.var.deps.store.volume(c.req.param('vol'));
    const ref = c.req.query('ref');
    if (ref === undefined) {
      throw new DvolError('invalid', "the 'ref' query parameter is missing", 'ask for /resolve?ref=HEAD');
    }
    return c.json({ commit: await vol.resolve(ref) });
  })
  .post('/volumes/:vol/reset', jsonBody(resetBody), async (c) => {
    const { store, guard } = c.var.deps;
    const vol = store.volume(c.req.param('vol'));
    const { ref, hard } = c.var.body;
    const { result, restarted } = await guard.stopped(vol.name, `reset of volume '${vol.name}'`, () =>
      vol.reset(ref, { hard }),
    );
    return c.json({ ...result, restarted });
  })
  .get('/volumes/:vol/tags', async (c) => {
    const vol = c.var.deps.store.volume(c.req.param('vol'));
    return c.json({ tags: await vol.tags() });
  })
  .post('/volumes/:vol/tags', jsonBody(tagBody), async (c) => {
    const vol = c.var.deps.store.volume(c.req.param('vol'));
    return c.json({ tag: await vol.createTag(c.var.body.name, c.var.body.ref) }, 201);
  })
  .delete('/volumes/:vol/tags/:tag', async (c) => {
    await c.var.deps.store.volume(c.req.param('vol')).deleteTag(c.req.param('tag'));
    return c.json({});
  });
