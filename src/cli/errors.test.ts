import t from 'tap';
import { CliError, exitCodeOf, formatError, isCliErrorCode, usageError } from './errors.js';

t.test('codes map to the exit statuses of docs/api.md', async (t) => {
  const cases: [ConstructorParameters<typeof CliError>[0], number][] = [
    ['invalid', 2],
    ['not_found', 3],
    ['exists', 4],
    ['in_use', 4],
    ['dirty', 4],
    ['conflict', 4],
    ['locked', 4],
    ['unreachable', 5],
    ['unavailable', 5],
    ['unsupported', 1],
    ['denied', 1],
    ['no_space', 1],
    ['corrupt', 1],
    ['internal', 1],
  ];
  for (const [code, status] of cases) t.equal(exitCodeOf(new CliError(code, 'x')), status, code);
  t.equal(exitCodeOf(new Error('boom')), 1, 'a bug is status 1');
  t.equal(exitCodeOf(usageError('bad')), 2, 'usage errors are status 2');
});

t.test('errors print git-style on two lines', async (t) => {
  t.equal(
    formatError(
      new CliError('dirty', "volume 'db' has uncommitted changes", "commit them with 'dvol commit -m ...'"),
    ),
    "dvol: volume 'db' has uncommitted changes\nhint: commit them with 'dvol commit -m ...'\n",
  );
  t.equal(
    formatError(new CliError('not_found', 'no such volume')),
    'dvol: no such volume\n',
    'no hint, no hint line',
  );
  t.match(
    formatError(new TypeError('oops')),
    /^dvol: unexpected error: TypeError: oops[^]*\nhint: this is a bug/,
  );
  t.equal(usageError('x', 'log').hint, "see 'dvol log --help'");
});

t.test('codes from the server are checked against the known ones', async (t) => {
  t.ok(isCliErrorCode('dirty'));
  t.notOk(isCliErrorCode('toString'), 'not fooled by Object.prototype');
  t.notOk(isCliErrorCode('exploded'));
  t.notOk(isCliErrorCode(undefined));
});
