import t from 'tap';
import { DvolError } from '../errors.js';
import { DOCKER_HUB_KEY, parseRemoteUrl } from './url.js';

t.test('registry repositories', async (t) => {
  t.same(parseRemoteUrl('ghcr.io/team/shop_db'), {
    kind: 'registry',
    registry: 'ghcr.io',
    repository: 'team/shop_db',
    credentialKey: 'ghcr.io',
    location: 'ghcr.io/team/shop_db',
  });
  t.same(parseRemoteUrl('127.0.0.1:5000/team/db'), {
    kind: 'registry',
    registry: '127.0.0.1:5000',
    repository: 'team/db',
    credentialKey: '127.0.0.1:5000',
    location: '127.0.0.1:5000/team/db',
  });
  const hub = {
    kind: 'registry',
    registry: 'registry-1.docker.io',
    repository: 'u/db',
    credentialKey: DOCKER_HUB_KEY,
    location: 'docker.io/u/db',
  };
  t.same(parseRemoteUrl('docker.io/u/db'), hub, 'docker.io is served by registry-1.docker.io');
  t.same(parseRemoteUrl('index.docker.io/u/db'), hub);
  t.same(parseRemoteUrl('u/db'), hub, 'no host means Docker Hub, the user repository as written');
  t.match(parseRemoteUrl('localhost/db'), { registry: 'localhost', repository: 'db' }, 'localhost is a host');
  t.match(parseRemoteUrl('LOCALHOST:5000/a/b/c'), { registry: 'localhost:5000', repository: 'a/b/c' });
  t.match(parseRemoteUrl('[::1]:5000/team/db'), { registry: '[::1]:5000', repository: 'team/db' });
  t.match(parseRemoteUrl('reg.example.com/a.b/c__d/e--f'), { repository: 'a.b/c__d/e--f' });
});

t.test('directories', async (t) => {
  t.same(parseRemoteUrl('/mnt/share/db'), { kind: 'directory', path: '/mnt/share/db' });
  t.same(parseRemoteUrl('/mnt/share/db/'), { kind: 'directory', path: '/mnt/share/db' }, 'trailing slash');
  t.same(parseRemoteUrl('/mnt//x/../db'), { kind: 'directory', path: '/mnt/db' }, 'normalized');
  t.same(parseRemoteUrl('file:///mnt/share/db'), { kind: 'directory', path: '/mnt/share/db' });
  t.same(parseRemoteUrl('file:///mnt/with%20space'), { kind: 'directory', path: '/mnt/with space' });
  t.same(parseRemoteUrl('/'), { kind: 'directory', path: '/' });
});

t.test('bad and hostile URLs are one invalid sentence each', async (t) => {
  const cases: [string, RegExp][] = [
    ['', /is empty/],
    ['db', /names no registry repository/],
    ['./db', /relative path/],
    ['../db', /relative path/],
    ['~/db', /relative path/],
    ['https://ghcr.io/team/db', /has a scheme/],
    ['file://otherhost/db', /not a local file:\/\/ URL/],
    ['file:relative', /not a local file:\/\/ URL/],
    ['ghcr.io/Team/db', /lowercase/],
    ['ghcr.io/team//db', /invalid repository name/],
    ['ghcr.io/team/db/', /invalid repository name/],
    ['ghcr.io/', /invalid repository name/],
    ['ghcr.io/team/-db', /invalid repository name/],
    ['ghcr.io/team/db:tag', /invalid repository name/],
    ['ghcr.io/team/../etc', /invalid repository name/],
    ['ghcr.io/team/%2e%2e', /invalid repository name/],
    ['host:99999/db', /invalid registry host/],
    ['host:0/db', /invalid registry host/],
    ['ho_st.io/db', /invalid registry host/],
    ['user:pass@host.io/db', /"\*\*\*@host.io\/db" has an invalid registry host/],
    ['https://user:secret@host.io/db', /has a scheme/],
    ['[zz]:5000/db', /invalid registry host/],
    ['ghcr.io/team db', /spaces or control/],
    ['ghcr.io/team/db\n', /spaces or control/],
    ['/mnt/\u0000x', /spaces or control/],
    [`ghcr.io/${'a'.repeat(300)}`, /longer than 255/],
    [`/${'a'.repeat(2000)}`, /longer than 1024/],
    ['ghcr.io/tëam/db', /invalid repository name/],
  ];
  for (const [input, message] of cases) {
    try {
      parseRemoteUrl(input);
      t.fail(`${JSON.stringify(input)} was accepted`);
    } catch (err) {
      t.ok(err instanceof DvolError && err.code === 'invalid', `${JSON.stringify(input)} is invalid`);
      t.match((err as Error).message, message, JSON.stringify(input).slice(0, 40));
      t.notMatch((err as Error).message, /pass|secret/, 'no credentials echoed');
    }
  }
});

t.test('parsing is linear: a long adversarial input returns at once', async (t) => {
  const start = process.hrtime.bigint();
  for (const input of [
    `ghcr.io/${'a-'.repeat(120)}`,
    `${'a.'.repeat(500)}/x`,
    `ghcr.io/${'a'.repeat(250)}!`,
  ]) {
    t.throws(() => parseRemoteUrl(input));
  }
  t.ok(Number(process.hrtime.bigint() - start) / 1e6 < 100, 'under 100 ms');
});
