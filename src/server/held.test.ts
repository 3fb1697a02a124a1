// The record of held containers on a real filesystem: written whole, read back, removed, and what a
// crash can leave (a temp file, an unreadable file) skipped.

import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { HeldContainers } from './held.js';

const refs = [
  { id: 'a'.repeat(64), name: 'web', state: 'running' },
  { id: 'b'.repeat(64), name: 'db', state: 'paused' },
];

t.test('a record is durable until cleared, one file per volume', async (t) => {
  const state = t.testdir();
  const held = await HeldContainers.open(state);
  t.same(await held.leftovers(), [], 'nothing held in a new state directory');
  await held.record('constructor', 'stop', "reset of volume 'constructor'", refs);
  await held.record('db', 'pause', "commit of volume 'db'", refs.slice(0, 1));

  // A new process (a restarted plugin) reads what the dead one left.
  const again = await HeldContainers.open(state);
  const left = await again.leftovers();
  t.match(left, [
    {
      volume: 'constructor',
      action: 'stop',
      doing: "reset of volume 'constructor'",
      since: String,
      containers: [
        { id: 'a'.repeat(64), name: 'web' },
        { id: 'b'.repeat(64), name: 'db' },
      ],
    },
    { volume: 'db', action: 'pause', containers: [{ id: 'a'.repeat(64), name: 'web' }] },
  ]);
  t.notOk(Object.hasOwn(left[0]?.containers[0] ?? {}, 'state'), 'the state at the time is not recorded');

  await again.clear('constructor');
  await again.clear('constructor');
  t.same(
    (await again.leftovers()).map((r) => r.volume),
    ['db'],
    'cleared, twice is fine',
  );
});

t.test('leftovers of a crash mid-write are skipped', async (t) => {
  const state = t.testdir();
  const held = await HeldContainers.open(state);
  await writeFile(join(held.dir, '.tmp-db.json-0a1b2c'), '{"volume": "db", "act');
  await writeFile(join(held.dir, 'web.json'), 'not json');
  await writeFile(join(held.dir, 'other.json'), JSON.stringify({ volume: 'db', action: 'stop' }));
  await held.record('db', 'stop', 'checkout', refs);
  const left = await held.leftovers();
  t.same(
    left.map((r) => r.volume),
    ['db'],
    'only the whole record named after its volume',
  );
  t.notOk(
    (await readdir(held.dir)).some((f) => f.startsWith('.tmp-')),
    'the temp file is removed',
  );
});
