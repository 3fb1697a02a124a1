import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { isAtomicTemp, readJson, writeFileAtomic, writeJsonAtomic } from './atomic.js';
import { DvolError } from './errors.js';

t.test('writes replace the file whole, mode 0600, no temp left', async (t) => {
  const dir = t.testdir({ 'a.json': '{"old":true}' });
  await writeJsonAtomic(join(dir, 'a.json'), { new: 1 });
  t.same(await readJson(join(dir, 'a.json')), { new: 1 });
  t.equal((await readFile(join(dir, 'a.json'), 'utf8')).endsWith('\n'), true);
  t.equal((await stat(join(dir, 'a.json'))).mode & 0o777, 0o600);
  t.same(await readdir(dir), ['a.json']);
});

t.test('a custom mode is kept', async (t) => {
  const dir = t.testdir();
  await writeFileAtomic(join(dir, 'b'), 'x', 0o644);
  t.equal((await stat(join(dir, 'b'))).mode & 0o777, 0o644);
});

t.test('a failed write leaves the old file and no temp', async (t) => {
  const dir = t.testdir({ sub: { 'a.json': '1' } });
  // Writing over a directory fails at the rename: the temp must go.
  await t.rejects(writeFileAtomic(join(dir, 'sub'), 'x'), DvolError);
  t.same(await readdir(dir), ['sub']);
  t.equal(await readFile(join(dir, 'sub', 'a.json'), 'utf8'), '1');
});

t.test('reading: absent is undefined, garbage is corrupt', async (t) => {
  const dir = t.testdir();
  t.equal(await readJson(join(dir, 'none.json')), undefined);
  await writeFile(join(dir, 'bad.json'), '{"half":');
  await t.rejects(readJson(join(dir, 'bad.json')), {
    code: 'corrupt',
    message: /bad\.json is not valid JSON/,
  });
  t.ok(isAtomicTemp('.tmp-volume.json-abc'));
  t.notOk(isAtomicTemp('volume.json'));
});
