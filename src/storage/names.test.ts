import t from 'tap';
import { DvolError } from './errors.js';
import { getDriverFactory } from './drivers/index.js';
import { validateOptions } from './options.js';
import { checkAuthor, checkMessage, checkName, quote } from './names.js';

const invalid = (fn: () => unknown, re: RegExp) => {
  try {
    fn();
  } catch (err) {
    return (
      err instanceof DvolError && err.code === 'invalid' && re.test(err.message) && err.hint !== undefined
    );
  }
  return false;
};

t.test('valid names pass', async (t) => {
  for (const name of ['db', 'HybridCP_mysql', 'a.b-c_d', '0', 'x'.repeat(64)]) {
    t.doesNotThrow(() => checkName('volume', name), name);
    t.doesNotThrow(() => checkName('branch', name), name);
  }
});

t.test('bad names are refused with the reason', async (t) => {
  const cases: [string, RegExp][] = [
    ['', /empty/],
    ['x'.repeat(65), /65 characters/],
    ['a/b', /'\/'/],
    ['a..b', /'\.\.'/],
    ['a b', /whitespace/],
    ['-a', /start with a letter or digit/],
    ['.hidden', /start with a letter or digit/],
    ['a~1', /ref syntax/],
    ['a^', /ref syntax/],
    ['a:b', /only letters/],
  ];
  for (const [name, re] of cases)
    t.ok(
      invalid(() => checkName('volume', name), re),
      JSON.stringify(name),
    );
});

t.test('branch and tag names may not look like refs', async (t) => {
  t.ok(invalid(() => checkName('branch', 'HEAD'), /HEAD/));
  t.ok(invalid(() => checkName('tag', 'head'), /HEAD/));
  t.ok(invalid(() => checkName('tag', 'a'.repeat(40)), /commit id/));
  t.doesNotThrow(() => checkName('volume', 'HEAD'), 'a volume may be called HEAD');
});

t.test('messages and authors', async (t) => {
  t.equal(checkMessage('fix\nbody'), 'fix\nbody');
  t.ok(invalid(() => checkMessage('  \n'), /message is empty/));
  t.equal(checkAuthor('Luke Marsden <luke@clusterhq.com>'), 'Luke Marsden <luke@clusterhq.com>');
  for (const bad of ['luke', 'Luke <luke>', '<a@b>', 'Luke <a@b', 'Luke <a@b> x', 'Lu\nke <a@b>']) {
    t.ok(
      invalid(() => checkAuthor(bad), /Name <email>/),
      JSON.stringify(bad),
    );
  }
});

t.test('messages quote at most 64 characters of an input, with its length', async (t) => {
  const huge = 'x'.repeat(10_000_000);
  for (const [fn, kind] of [
    [() => checkName('volume', huge), 'volume name'],
    [() => checkName('branch', `-${huge}`), 'branch name'],
    [() => checkAuthor(huge), 'author'],
  ] as const) {
    const err = t.throws(fn) as DvolError;
    t.ok(err.message.length < 200, `the ${kind} message is short (${err.message.length} characters)`);
    t.match(err.message, new RegExp(`^invalid ${kind} 'x{0,1}-?x+…' \\(1000000[01] characters\\)`));
  }
  t.equal(quote('short'), "'short'");
  t.equal(quote('y'.repeat(64)), `'${'y'.repeat(64)}'`);
  t.equal(quote('y'.repeat(65)), `'${'y'.repeat(64)}…' (65 characters)`);
});

t.test('an unknown driver or option of a huge name is quoted bounded too', async (t) => {
  const huge = 'o'.repeat(1_000_000);
  const short = { message: /^.{1,200}$/ };
  t.throws(() => getDriverFactory(huge), { code: 'invalid', ...short });
  t.throws(() => validateOptions('db', 'plain', { [huge]: 'x' }), {
    code: 'invalid',
    message: `unknown option '${'o'.repeat(64)}…' (1000000 characters) for volume 'db' (driver plain)`,
  });
});
