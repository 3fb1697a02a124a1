import { existsSync } from 'node:fs';
import t from 'tap';
import { getJson, localDockerSocket } from './docker-api.js';

t.test('the local socket only when the docker command would use it too', async (t) => {
  const none = t.testdir({});
  t.equal(localDockerSocket({ DOCKER_CONFIG: none }), '/var/run/docker.sock', 'the default');
  t.equal(
    localDockerSocket({ DOCKER_HOST: 'unix:///run/user/1000/docker.sock' }),
    '/run/user/1000/docker.sock',
  );
  t.equal(localDockerSocket({ DOCKER_HOST: 'tcp://10.0.0.2:2376' }), undefined, 'another transport');
  t.equal(localDockerSocket({ DOCKER_HOST: 'ssh://me@box' }), undefined, 'ssh');
  t.equal(localDockerSocket({ DOCKER_CONTEXT: 'remote', DOCKER_CONFIG: none }), undefined, 'a context');
  t.equal(localDockerSocket({ DOCKER_CONTEXT: 'default', DOCKER_CONFIG: none }), '/var/run/docker.sock');
  const remote = t.testdir({ 'config.json': JSON.stringify({ currentContext: 'remote' }) });
  t.equal(
    localDockerSocket({ DOCKER_CONFIG: remote }),
    undefined,
    'a context chosen with docker context use',
  );
  const home = t.testdir({ '.docker': { 'config.json': JSON.stringify({ currentContext: 'default' }) } });
  t.equal(localDockerSocket({ HOME: home }), '/var/run/docker.sock', '~/.docker, default context');
  const broken = t.testdir({ 'config.json': '{not json' });
  t.equal(localDockerSocket({ DOCKER_CONFIG: broken }), '/var/run/docker.sock', 'unreadable config');
});

t.test('a socket that does not exist rejects', async (t) => {
  await t.rejects(getJson(`${t.testdirName}-none.sock`, '/version'), { code: 'ENOENT' });
});

const socket = '/var/run/docker.sock';
const noEngine = !existsSync(socket) && 'no Docker engine on this machine (the e2e tier needs one)';

t.test('the real Engine API answers with JSON', { skip: noEngine }, async (t) => {
  const answer = await getJson(socket, '/version');
  t.equal(answer.status, 200);
  t.match(answer.body, { ApiVersion: /^\d+\.\d+$/ });
});
