// /dvol: a volume's remotes (list, add, rm), push, fetch, pull, clone, and reading a remote URL.

import { Hono } from 'hono';
import { DvolError } from '../../storage/errors.js';
import { parseRemoteUrl } from '../../storage/remotes/url.js';
import { splitSource } from '../../storage/sync/source.js';
import { jsonBody } from '../body.js';
import type { Env } from '../deps.js';
import * as ops from '../operations.js';
import { pathOf, reply } from '../respond.js';
import { cloneBody, fetchBody, pullBody, pushBody, remoteBody } from '../schemas.js';

/** The key of a registry URL in the user's docker config; undefined for a directory. */
function credentialKey(url: string): string | undefined {
  const parsed = parseRemoteUrl(url);
  return parsed.kind === 'registry' ? parsed.credentialKey : undefined;
}

export const remoteRoutes = new Hono<Env>()
  .get(pathOf('GET /dvol/remote-url'), (c) => {
    const source = c.req.query('url');
    if (source === undefined) {
      throw new DvolError('invalid', "the 'url' query parameter is missing", 'ask for /remote-url?url=URL');
    }
    const { url, branch } = splitSource(source);
    const parsed = parseRemoteUrl(url);
    return reply(c, 'GET /dvol/remote-url', {
      url,
      location: parsed.kind === 'directory' ? parsed.path : parsed.location,
      ...(parsed.kind === 'registry' ? { credentialKey: parsed.credentialKey } : {}),
      ...(branch !== undefined ? { branch } : {}),
    });
  })
  .get(pathOf('GET /dvol/volumes/:vol/remotes'), async (c) => {
    const remotes = await c.var.deps.store.volume(c.req.param('vol')).remotes();
    return reply(c, 'GET /dvol/volumes/:vol/remotes', {
      remotes: remotes.map((r) => {
        const key = credentialKey(r.url);
        return key === undefined ? r : { ...r, credentialKey: key };
      }),
    });
  })
  .post(pathOf('POST /dvol/volumes/:vol/remotes'), jsonBody(remoteBody), async (c) => {
    const { name, url } = c.var.body;
    const remote = await c.var.deps.store.volume(c.req.param('vol')).addRemote(name, url);
    return reply(c, 'POST /dvol/volumes/:vol/remotes', { remote }, 201);
  })
  .delete(pathOf('DELETE /dvol/volumes/:vol/remotes/:remote'), async (c) => {
    const vol = c.var.deps.store.volume(c.req.param('vol'));
    return reply(
      c,
      'DELETE /dvol/volumes/:vol/remotes/:remote',
      await vol.removeRemote(c.req.param('remote')),
    );
  })
  .post(pathOf('POST /dvol/volumes/:vol/push'), jsonBody(pushBody), async (c) =>
    reply(c, 'POST /dvol/volumes/:vol/push', await ops.push(c.var.deps, c.req.param('vol'), c.var.body)),
  )
  .post(pathOf('POST /dvol/volumes/:vol/fetch'), jsonBody(fetchBody), async (c) =>
    reply(c, 'POST /dvol/volumes/:vol/fetch', await ops.fetch(c.var.deps, c.req.param('vol'), c.var.body)),
  )
  .post(pathOf('POST /dvol/volumes/:vol/pull'), jsonBody(pullBody), async (c) =>
    reply(c, 'POST /dvol/volumes/:vol/pull', await ops.pull(c.var.deps, c.req.param('vol'), c.var.body)),
  )
  .post(pathOf('POST /dvol/clone'), jsonBody(cloneBody), async (c) =>
    reply(c, 'POST /dvol/clone', await ops.clone(c.var.deps, c.var.body), 201),
  );
