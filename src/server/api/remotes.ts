// /dvol: a volume's remotes (list, add, rm), push, fetch, pull, clone, and reading a remote URL.

import { Hono } from 'hono';
import type { Context } from 'hono';
import { stream } from 'hono/streaming';
import type { Answer, ProgressLine } from '../../api/routes.js';
import { DvolError, asDvolError } from '../../storage/errors.js';
import { parseRemoteUrl } from '../../storage/remotes/url.js';
import { splitSource } from '../../storage/sync/source.js';
import { jsonBody } from '../body.js';
import type { Env } from '../deps.js';
import * as ops from '../operations.js';
import { errorBody, pathOf, reply } from '../respond.js';
import { cloneBody, fetchBody, pullBody, pushBody, remoteBody } from '../schemas.js';

/** The key of a registry URL in the user's docker config; undefined for a directory. */
function credentialKey(url: string): string | undefined {
  const parsed = parseRemoteUrl(url);
  return parsed.kind === 'registry' ? parsed.credentialKey : undefined;
}

type TransferKey =
  | 'POST /dvol/volumes/:vol/push'
  | 'POST /dvol/volumes/:vol/fetch'
  | 'POST /dvol/volumes/:vol/pull'
  | 'POST /dvol/clone';

/**
 * Answers a transfer: one JSON answer, or with `?progress=1` NDJSON progress lines as it goes and
 * then `{"result"}`; a failure once lines flow is a last `{"error"}` line.
 */
function transfer<K extends TransferKey>(
  c: Context,
  key: K,
  run: (onProgress?: (line: string) => void) => Promise<Answer<K>>,
  status: 200 | 201 = 200,
): Promise<Response> | Response {
  if (c.req.query('progress') !== '1') return run().then((answer) => reply(c, key, answer, status));
  c.header('Content-Type', 'application/x-ndjson');
  return stream(c, async (out) => {
    const send = (line: ProgressLine<Answer<K>>) => out.writeln(JSON.stringify(line)).then(() => undefined);
    let pending: Promise<void> = Promise.resolve();
    try {
      const result = await run((progress) => {
        if (!out.aborted) pending = pending.then(() => send({ progress }));
      });
      await pending;
      await send({ result });
    } catch (err) {
      await pending;
      const e = asDvolError(err, `${key.split(' ')[1]}`);
      if (e.code === 'internal') console.error(e.cause ?? e);
      if (!out.aborted) await send(errorBody(e));
    }
  });
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
    transfer(c, 'POST /dvol/volumes/:vol/push', (onProgress) =>
      ops.push(c.var.deps, c.req.param('vol'), c.var.body, onProgress),
    ),
  )
  .post(pathOf('POST /dvol/volumes/:vol/fetch'), jsonBody(fetchBody), async (c) =>
    transfer(c, 'POST /dvol/volumes/:vol/fetch', (onProgress) =>
      ops.fetch(c.var.deps, c.req.param('vol'), c.var.body, onProgress),
    ),
  )
  .post(pathOf('POST /dvol/volumes/:vol/pull'), jsonBody(pullBody), async (c) =>
    transfer(c, 'POST /dvol/volumes/:vol/pull', (onProgress) =>
      ops.pull(c.var.deps, c.req.param('vol'), c.var.body, onProgress),
    ),
  )
  .post(pathOf('POST /dvol/clone'), jsonBody(cloneBody), async (c) =>
    transfer(c, 'POST /dvol/clone', (onProgress) => ops.clone(c.var.deps, c.var.body, onProgress), 201),
  );
