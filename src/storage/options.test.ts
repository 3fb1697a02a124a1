// Create options checked once, in one wording, against what the registry's drivers declare: the
// driver's name, each option's name, each listed value, and the driver's own combination rules.
import t from 'tap';
import { parseCreateOptions, validateOptions } from './options.js';

/** Options as JSON brings them: `__proto__` an own key like any other. */
const parsed = (key: string) => JSON.parse(`{"${key}": "x"}`) as Record<string, string>;

t.test('the driver option picks the driver; the rest are its options', async (t) => {
  t.same(parseCreateOptions('db', {}), { options: {} });
  t.same(parseCreateOptions('db', { driver: 'btrfs', compression: 'zstd' }), {
    driver: 'btrfs',
    options: { compression: 'zstd' },
  });
});

const refusals: [string, () => unknown, string | RegExp, string?][] = [
  ...['zfs', 'constructor', '__proto__', ''].map((driver): [string, () => unknown, string, string] => [
    `driver '${driver}'`,
    () => parseCreateOptions('db', { driver }),
    `unknown snapshot driver '${driver}' for volume 'db'`,
    'use driver=plain|reflink|btrfs',
  ]),
  [
    'an option plain does not declare',
    () => validateOptions('db', 'plain', { size: '1G' }),
    "unknown option 'size' for volume 'db' (driver plain)",
    'known options: driver=plain|reflink|btrfs',
  ],
  ...['constructor', '__proto__', 'toString'].map((key): [string, () => unknown, string, string] => [
    `option '${key}'`,
    () => validateOptions('db', 'btrfs', parsed(key)),
    `unknown option '${key}' for volume 'db' (driver btrfs)`,
    'known options: driver=plain|reflink|btrfs, copyonwrite, compression',
  ]),
  [
    "a value outside the option's list",
    () => validateOptions('db', 'btrfs', { compression: 'lz4' }),
    "invalid value 'lz4' for the btrfs option 'compression'",
    'use one of: zstd, lzo, zlib',
  ],
  [
    'a combination the driver refuses',
    () => validateOptions('db', 'btrfs', { copyonwrite: 'false', compression: 'zstd' }),
    /cannot be combined/,
  ],
];

for (const [what, fn, message, hint] of refusals) {
  t.test(`refused: ${what}`, async (t) => {
    t.throws(fn, { code: 'invalid', message, ...(hint === undefined ? {} : { hint }) });
  });
}

t.test('accepted options come back as a copy', async (t) => {
  const given = { copyonwrite: 'false' };
  const checked = validateOptions('db', 'btrfs', given);
  t.same(checked, given);
  t.not(checked, given);
});
