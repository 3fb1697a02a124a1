import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { deadSocket } from './io.testkit.js';
import { discoverSocket, inspectPlugin, managedSockets, type PluginInspect } from './socket.js';

// A trimmed `docker plugin inspect` record of the packaged plugin (plugin/config.json's shape).
const inspected: PluginInspect = {
  Id: '9b2a115f96e4aa',
  Name: 'dvol:latest',
  Enabled: true,
  Settings: {
    Mounts: [
      { Name: 'docker', Source: '/var/run/docker.sock', Destination: '/var/run/docker.sock' },
      { Name: 'state', Source: '/var/lib/dvol/', Destination: '/var/lib/dvol' },
    ],
  },
  Config: { Interface: { Socket: 'dvol.sock' } },
};

t.test('the CLI socket under the state mount comes before the root-only plugin socket', async (t) => {
  t.same(managedSockets(inspected), [
    '/var/lib/dvol/run/dvol.sock',
    '/run/docker/plugins/9b2a115f96e4aa/dvol.sock',
  ]);
  t.same(managedSockets({ Id: 'abc', Name: 'dvol', Enabled: true }), ['/run/docker/plugins/abc/dvol.sock']);
});

t.test('DVOL_SOCKET wins without asking Docker', async (t) => {
  t.equal(
    await discoverSocket({ DVOL_SOCKET: '/tmp/x.sock' }, () => Promise.reject(new Error('not asked'))),
    '/tmp/x.sock',
  );
});

t.test('an enabled plugin: the first socket the user can open', async (t) => {
  // Not t.testdir(): its path is longer than a unix socket path may be.
  const dir = await mkdtemp(join(tmpdir(), 'dvol-sock-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'state/run'), { recursive: true });
  const sock = join(dir, 'state/run/dvol.sock');
  // A real unix socket file nobody listens on: discovery only checks that it can be opened.
  deadSocket(sock);
  const plugin = { ...inspected, Settings: { Mounts: [{ Name: 'state', Source: join(dir, 'state') }] } };
  t.equal(await discoverSocket({}, async () => plugin), sock);
});

t.test('disabled, missing, broken: one sentence and the fix (fake inspect answers)', async (t) => {
  await t.rejects(
    discoverSocket({}, async () => ({ ...inspected, Enabled: false })),
    {
      code: 'unreachable',
      message: "the dvol plugin 'dvol' is installed but disabled",
      hint: 'docker plugin enable dvol',
    },
  );
  const gone = { ...inspected, Id: 'no-such-id', Settings: { Mounts: [] } };
  await t.rejects(
    discoverSocket({ DVOL_PLUGIN: 'dvol-x' }, async () => gone),
    {
      code: 'unreachable',
      message: /enabled but none of its sockets exists/,
      hint: /docker plugin disable dvol-x && docker plugin enable dvol-x/,
    },
  );
  await t.rejects(
    discoverSocket({}, async () => ({ missing: true })),
    {
      code: 'unreachable',
      message: /the dvol plugin is not installed/,
      hint: /npm run setup.*docker plugin install/,
    },
  );
  await t.rejects(
    discoverSocket({}, async () => ({ dockerError: 'Cannot connect to the Docker daemon' })),
    {
      code: 'unreachable',
      message: 'cannot ask Docker for the dvol plugin: Cannot connect to the Docker daemon',
    },
  );
});

t.test('inspecting a plugin that does not exist, with the real docker CLI', async (t) => {
  const answer = await inspectPlugin('dvol-unit-test-no-such-plugin');
  if ('dockerError' in answer) {
    t.match(
      answer.dockerError,
      /\S/,
      `no Docker engine here, so Docker's error is kept: ${answer.dockerError}`,
    );
  } else {
    t.same(answer, { missing: true });
  }
});

t.test('no Docker socket and no docker command: said plainly', async (t) => {
  t.same(await inspectPlugin('dvol', { PATH: '/nonexistent', DOCKER_HOST: 'unix:///nonexistent.sock' }), {
    dockerError: 'the docker command was not found in PATH',
  });
});
