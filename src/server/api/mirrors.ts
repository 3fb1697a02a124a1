// /dvol: the Redis mirrors (add, list, rm) and a volume's mount policy (exclusive or shared).

import { Ajv } from 'ajv';
import { Hono } from 'hono';
import type { MirrorAddBody, MirrorAnswer, MirrorList } from '../../api/mirror.js';
import { jsonBody } from '../body.js';
import type { Env } from '../deps.js';

const ajv = new Ajv({ allErrors: true, strict: true, verbose: true });
const text = (max: number) =>
  ({ type: 'string', maxLength: max, description: `must be at most ${max} characters long` }) as const;
const mirrorAddBody = ajv.compile<MirrorAddBody>({
  type: 'object',
  properties: { url: text(4096), prefix: text(256) },
  required: ['url'],
  additionalProperties: false,
});
const policyBody = ajv.compile<{ exclusive: boolean }>({
  type: 'object',
  properties: { exclusive: { type: 'boolean' } },
  required: ['exclusive'],
  additionalProperties: false,
});

export const mirrorRoutes = new Hono<Env>()
  .get('/mirrors', (c) => c.json<MirrorList>({ mirrors: c.var.deps.mirrors.list() }))
  .post('/volumes/:vol/mirrors', jsonBody(mirrorAddBody), async (c) => {
    const { url, prefix } = c.var.body;
    const mirror = await c.var.deps.mirrors.add(c.req.param('vol'), url, prefix);
    return c.json<MirrorAnswer>({ mirror }, 201);
  })
  .delete('/mirrors/:id', async (c) =>
    c.json<MirrorAnswer>({ mirror: await c.var.deps.mirrors.remove(c.req.param('id')) }),
  )
  .put('/volumes/:vol/exclusive', jsonBody(policyBody), async (c) => {
    const volume = await c.var.deps.store.volume(c.req.param('vol')).setExclusive(c.var.body.exclusive);
    return c.json({ volume });
  });
