import t from 'tap';
import type { Commit } from '../storage/model.js';
import { formatLog, gitDate, humanSize, plural, shortId, table } from './format.js';

t.test('table aligns columns two spaces apart, docker style', async (t) => {
  t.equal(
    table([
      ['VOLUME', 'SIZE', 'BRANCHES'],
      ['HybridCP_mysql', '320MB', '1'],
      ['TweetDeckMonitor_redis', '6.72GB', '3'],
    ]),
    'VOLUME                  SIZE    BRANCHES\n' +
      'HybridCP_mysql          320MB   1\n' +
      'TweetDeckMonitor_redis  6.72GB  3\n',
  );
  t.equal(
    table([
      ['a', ''],
      ['bb', 'x'],
    ]),
    'a\nbb  x\n',
    'empty last cells leave no trailing spaces',
  );
  t.equal(table([]), '');
});

t.test('sizes are decimal with three significant digits', async (t) => {
  t.equal(humanSize(0), '0B');
  t.equal(humanSize(999), '999B');
  t.equal(humanSize(1000), '1kB');
  t.equal(humanSize(1536), '1.54kB');
  t.equal(humanSize(320_000_000), '320MB');
  t.equal(humanSize(6_720_000_000), '6.72GB');
  t.equal(humanSize(3e18), '3000PB', 'the largest unit absorbs the rest');
});

t.test("dates use git's default format in UTC", async (t) => {
  t.equal(gitDate('2015-07-08T15:00:05Z'), 'Wed Jul 8 15:00:05 2015 +0000');
  t.equal(gitDate('2015-07-08T16:00:05+01:00'), 'Wed Jul 8 15:00:05 2015 +0000', 'converted to UTC');
  t.equal(gitDate('2026-01-31T03:04:05.123Z'), 'Sat Jan 31 03:04:05 2026 +0000');
  t.equal(gitDate('not a date'), 'not a date', 'an unparsable date is shown as is');
});

const c = (id: string, message: string, date: string, extra: Partial<Commit> = {}): Commit => ({
  id,
  parent: null,
  message,
  author: 'Luke Marsden <luke@clusterhq.com>',
  date,
  ...extra,
});

t.test('the log reads like the seed transcript', async (t) => {
  const log = formatLog([
    c(
      '95c1c55093a9b8e3188dba6147115da741803389',
      'experiment with adding indexes to users table',
      '2015-07-08T15:27:35Z',
    ),
    c('fd39db24343ed426fc3fcbcf11a201d996d18429', 'import base schema', '2015-07-08T15:00:05Z'),
  ]);
  t.equal(
    log,
    `commit 95c1c55093a9b8e3188dba6147115da741803389
Author: Luke Marsden <luke@clusterhq.com>
Date:   Wed Jul 8 15:27:35 2015 +0000

    experiment with adding indexes to users table

commit fd39db24343ed426fc3fcbcf11a201d996d18429
Author: Luke Marsden <luke@clusterhq.com>
Date:   Wed Jul 8 15:00:05 2015 +0000

    import base schema
`,
  );
  t.equal(
    formatLog([c('ab'.repeat(20), 'title\n\nbody line', '2015-07-08T15:00:05Z', { dataDeleted: true })]),
    `commit ${'ab'.repeat(20)}\nAuthor: Luke Marsden <luke@clusterhq.com>\nDate:   Wed Jul 8 15:00:05 2015 +0000\n` +
      'Data:   deleted to reclaim space\n\n    title\n\n    body line\n',
    'multi-line messages are indented line by line; blank lines stay blank',
  );
  t.equal(formatLog([]), '');
  t.equal(shortId('fd39db24343ed426fc3fcbcf11a201d996d18429'), 'fd39db2');
});

t.test('plural counts', async (t) => {
  t.equal(plural(0, 'commit'), '0 commits');
  t.equal(plural(1, 'commit'), '1 commit');
  t.equal(plural(2, 'problem'), '2 problems');
});
