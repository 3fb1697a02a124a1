// The driver registry as the one source of driver facts: names, factories, capabilities, and that
// every registered driver runs the shared conformance suite (its default choice: reflink.test.ts).
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { driverCapabilities, driverNames, getDriverFactory, isDriverName } from './index.js';

const here = new URL('.', import.meta.url).pathname;

t.test('names and factories agree', async (t) => {
  t.same(driverNames, ['plain', 'reflink', 'btrfs'], 'simplest first');
  t.equal(new Set(driverNames).size, driverNames.length, 'no name twice');
  for (const name of driverNames) {
    t.ok(isDriverName(name), `${name} is a driver name`);
    t.equal(getDriverFactory(name).name, name, `${name}'s factory has its name`);
  }
});

t.test('a name on Object.prototype or an unknown one is no driver', async (t) => {
  for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty', '', 'zfs', 'PLAIN']) {
    t.notOk(isDriverName(name), `'${name}' is not a driver name`);
    t.throws(() => getDriverFactory(name), {
      code: 'invalid',
      message: `unknown snapshot driver '${name}'`,
      hint: 'use one of: plain, reflink, btrfs',
    });
  }
});

t.test('capabilities: only btrfs snapshots atomically, so only its commits skip the pause', async (t) => {
  t.same(
    driverNames.map((name) => [name, driverCapabilities(name).atomicSnapshots]),
    [
      ['plain', false],
      ['reflink', false],
      ['btrfs', true],
    ],
  );
});

/** The test files below the drivers folder. */
async function testFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.test.ts'))
    .map((e) => join(e.parentPath, e.name));
}

t.test('every registered driver runs the conformance suite', async (t) => {
  const texts = await Promise.all((await testFiles(here)).map((f) => readFile(f, 'utf8')));
  for (const name of driverNames) {
    const call = `runDriverConformance(t, ${name}Factory,`;
    t.ok(
      texts.some((text) => text.includes(call)),
      `a test under src/storage/drivers calls ${call} ...)`,
    );
  }
});
