// /dvol: branches of one volume: list, checkout (create or switch), delete.

import { Hono } from 'hono';
import { jsonBody } from '../body.js';
import type { Env } from '../deps.js';
import { checkoutBody } from '../schemas.js';

export const branchRoutes = new Hono<Env>()
  .get('/volumes/:vol/branches', async (c) => {
    const vol = c.var.deps.store.volume(c.req.param('vol'));
    return c.json({ branches: await vol.branches() });
  })
  .post('/volumes/:vol/checkout', jsonBody(checkoutBody), async (c) => {
    const { store, guard } = c.var.deps;
    const vol = store.volume(c.req.param('vol'));
    const { branch, create } = c.var.body;
    if (!create && (await vol.info()).activeBranch === branch) {
      // Already there: nothing for the containers to reload, so they keep running.
      return c.json({ branch: await vol.checkout(branch), restarted: [] });
    }
    // Refused before any container is stopped; checked again under the lock by the checkout itself.
    await vol.ensureClean();
    const { result, restarted } = await guard.stopped(
      vol.name,
      `checkout of branch '${branch}'`,
      async () => {
        // `from` is read under the same lock as the checkout, so it names what the branch was made from.
        const before = await vol.info();
        const info = create ? await vol.createBranch(branch) : await vol.checkout(branch);
        return {
          branch: info,
          ...(create ? { from: { branch: before.activeBranch, commit: before.head } } : {}),
        };
      },
    );
    return c.json({ ...result, restarted });
  })
  .delete('/volumes/:vol/branches/:branch', async (c) => {
    const vol = c.var.deps.store.volume(c.req.param('vol'));
    const force = ['1', 'true'].includes(c.req.query('force') ?? '');
    return c.json(await vol.deleteBranch(c.req.param('branch'), { force }));
  });
