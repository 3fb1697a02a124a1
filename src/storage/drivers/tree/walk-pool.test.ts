// Walk workers load walk-worker.ts through the loader of the process that runs the source: the
// options they get, and a real pool answering a task under tsx (tap's own run covers ts-node).

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import t from 'tap';

import { workerLoaderArgs } from './walk-pool.js';

t.test('a worker gets the loader options and nothing else', async (t) => {
  const tap = '--import=file:///x/node_modules/@tapjs/typescript/dist/esm/import.mjs';
  t.same(
    workerLoaderArgs([
      tap,
      '--enable-source-maps',
      '--require',
      '/x/pre.cjs',
      '--input-type=module',
      '--eval',
      'x',
    ]),
    ['--import', 'file:///x/node_modules/@tapjs/typescript/dist/esm/import.mjs', '--require', '/x/pre.cjs'],
  );
  t.same(workerLoaderArgs(['--test', '--loader', 'ts-node/esm', '--import']), ['--loader', 'ts-node/esm']);
  for (const tsx of ['tsx', 'file:///x/node_modules/tsx/dist/loader.mjs']) {
    const [flag, value = ''] = workerLoaderArgs(['--import', tsx]);
    t.equal(flag, '--import');
    t.match(decodeURIComponent(value), /^data:text\/javascript,import \{ register \} from "file:.*tsx/);
  }
});

t.test('under tsx, a pool runs a task on a worker', async (t) => {
  const dir = t.testdir({ a: 'x', b: { c: 'y' } });
  const pool = new URL('./walk-pool.ts', import.meta.url).href;
  const script = `import { WalkPool } from ${JSON.stringify(pool)};
const p = new WalkPool(1);
const r = await p.run({ base: ${JSON.stringify(`${dir}/`)} });
await p.close();
process.stdout.write(JSON.stringify({ listing: r.listing, kinds: r.kinds, answered: p.answered }));`;
  const { stdout } = await promisify(execFile)(process.execPath, [
    '--import',
    'tsx',
    '--input-type=module',
    '--eval',
    script,
  ]);
  t.same(JSON.parse(stdout), { listing: 'a\0b', kinds: 'fd', answered: 1 });
});
