// remote, push, fetch, pull and clone through the CLI, against two servers standing for two
// machines (two state directories) and a real docker-registry on loopback: open, and behind TLS
// with htpasswd auth and a test CA. Same commit ids and bytes on both sides; every refusal is one
// sentence with its exit status, and a failed clone leaves no volume.

import { mkdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { describeTree } from '../storage/drivers/conformance/describe.testkit.js';
import type { Store } from '../storage/model.js';
import { startTestRegistry } from '../storage/remotes/registry/registry.testkit.js';
import { type Run, cliAgainstServer } from './apiserver.testkit.js';

interface Machine {
  store: Store;
  dvol: (...argv: string[]) => Promise<Run>;
}

async function machine(t: Test, more: Parameters<typeof cliAgainstServer>[1] = {}): Promise<Machine> {
  const m = await cliAgainstServer(t, more);
  await m.dvol('config', 'user.name', 'Jane Doe');
  await m.dvol('config', 'user.email', 'jane@example.com');
  return m;
}

async function put(m: Machine, volume: string, file: string, content: string | Buffer): Promise<void> {
  await writeFile(join(await m.store.volume(volume).dataPath(), file), content);
}

const ids = async (m: Machine, volume: string) => (await m.store.volume(volume).log()).map((c) => c.id);

t.test('two machines share a volume through an open registry on loopback', async (t) => {
  const registry = await startTestRegistry(t);
  const url = `${registry.host}/team/db`;
  const a = await machine(t);
  const b = await machine(t);
  t.equal((await a.dvol('init', 'db')).code, 0);
  await put(a, 'db', 'pages', randomBytes(300_000));
  t.equal((await a.dvol('commit', '-m', 'first')).code, 0);
  t.same(await a.dvol('remote', 'add', 'origin', url), {
    code: 0,
    out: `Added remote origin of db: ${url}\n`,
    err: '',
  });
  t.same(await a.dvol('remote'), { code: 0, out: 'origin\n', err: '' });
  t.same(await a.dvol('remote', '-v'), { code: 0, out: `origin  ${url}\n`, err: '' });
  const pushed = await a.dvol('push');
  t.equal(pushed.code, 0, pushed.err);
  t.match(pushed.err, /^master: sending commit [0-9a-f]{7} \(1\/1\)\nmaster: stored a pack of \d+ KiB\n$/);
  t.match(
    pushed.out,
    new RegExp(`^To ${url}\n \\* \\[new branch\\] +master -> master\n1 commit, \\d+(\\.\\d+)?kB sent`),
  );
  t.same(await a.dvol('push'), { code: 0, out: `To ${url}\nEverything up-to-date\n`, err: '' });
  const json = JSON.parse((await a.dvol('push', '--json')).out) as {
    pushed: string[];
    stats: { bytesSent: number };
  };
  t.same([json.pushed, json.stats.bytesSent], [[], 0], '--json summary of a no-op push');

  const cloned = await b.dvol('clone', url, 'copy');
  t.equal(cloned.out, `Cloned ${url} branch master into copy (1 commit).\n`, 'the summary on stdout');
  t.match(
    cloned.err,
    /^origin\/master: receiving commit [0-9a-f]{7} \(1\/1\)\n$/,
    'a plain progress line on stderr',
  );
  t.same(await ids(b, 'copy'), await ids(a, 'db'), 'the same commit ids');
  t.same(
    await describeTree(await b.store.volume('copy').dataPath()),
    await describeTree(await a.store.volume('db').dataPath()),
    'the same bytes, modes, owners and times',
  );
  t.match((await b.dvol('branch', '-r', 'copy')).out, /^ {2}origin\/master {2}[0-9a-f]{7}\n$/);

  // a moves on; b pulls.
  await put(a, 'db', 'pages', randomBytes(300_000));
  t.equal((await a.dvol('commit', '-m', 'second')).code, 0);
  t.equal((await a.dvol('push')).code, 0);
  t.equal((await b.dvol('switch', 'copy')).code, 0);
  const pulled = await b.dvol('pull');
  t.equal(pulled.code, 0, pulled.err);
  t.match(
    pulled.out,
    /master -> origin\/master \(1 commit received\)\nUpdating [0-9a-f]{7}\.\.[0-9a-f]{7}\nFast-forward\n$/,
  );
  t.same(
    await readFile(join(await b.store.volume('copy').dataPath(), 'pages')),
    await readFile(join(await a.store.volume('db').dataPath(), 'pages')),
    'the pulled data',
  );
  t.match((await b.dvol('pull')).out, /Already up to date\.\n$/);

  // b pushes; a is behind: push refused naming the commit; pull refused onto uncommitted changes.
  await put(b, 'copy', 'extra', 'b was here');
  t.equal((await b.dvol('commit', '-m', 'from b')).code, 0);
  t.equal((await b.dvol('push')).code, 0);
  const theirs = (await ids(b, 'copy'))[0]!.slice(0, 7);
  await put(a, 'db', 'extra', 'a was here');
  const dirty = await a.dvol('pull');
  t.equal(dirty.code, 4, 'pull onto uncommitted changes is refused');
  t.match(dirty.err, /^dvol: Volume db has uncommitted changes/);
  t.equal((await a.dvol('commit', '-m', 'from a')).code, 0);
  const refused = await a.dvol('push');
  t.equal(refused.code, 4);
  t.match(
    refused.err,
    new RegExp(
      `^dvol: branch 'master' in ${url} has 1 commit this volume lacks \\(${theirs}\\), so the push was refused\nhint: `,
    ),
  );
  t.equal((await a.dvol('fetch')).code, 0);
  const theirLog = await a.dvol('log', '-n', '1', 'origin/master');
  t.match(theirLog.out, new RegExp(`^commit ${theirs}[0-9a-f]{33}\n`), 'dvol log origin/master');
  t.match((await a.dvol('log', 'origin/master', 'db')).out, /from b/, 'REF and VOLUME');
  const diverged = await a.dvol('pull');
  t.equal(diverged.code, 4);
  t.match(diverged.err, /have diverged \(1 and 1 commits of their own\).*\nhint: .*dvol pull --stash/);
  const stashed = await a.dvol('pull', '--stash');
  t.equal(stashed.code, 0, stashed.err);
  t.match(stashed.out, /Kept the diverged local tip [0-9a-f]{7} as branch master-diverged-\d{8}T\d{6}Z\./);
  t.same(await ids(a, 'db'), await ids(b, 'copy'), 'a now has b’s history');
  const forced = await b.dvol('push', '--force');
  t.equal(forced.code, 0, 'a forced push of what the remote has is up to date');

  // Failures: a missing branch, an unreachable registry; nothing is made.
  const missing = await b.dvol('clone', `${url}:nope`, 'other');
  t.equal(missing.code, 3);
  t.same(
    missing.err,
    `dvol: ${url} has no branch 'nope'\nhint: name a branch it has: dvol clone URL:BRANCH NAME\n`,
  );
  t.equal(await b.store.getVolume('other'), undefined, 'no half-made volume');
  t.equal((await a.dvol('remote', 'add', 'dead', '127.0.0.1:1/x/y')).code, 0);
  const dead = await a.dvol('push', 'dead');
  t.equal(dead.code, 5);
  t.match(dead.err, /^dvol: could not connect to registry 127\.0\.0\.1:1: connection refused\n/);
  t.same(await a.store.fsck(), []);
  t.same(await b.store.fsck(), []);
});

t.test(
  'a registry behind TLS and htpasswd: credentials from docker config, wrong and none refused',
  async (t) => {
    const user = { username: 'alice', password: 'correct horse' };
    const registry = await startTestRegistry(t, { tls: true, users: [user] });
    const url = `${registry.host}/team/db`;
    const config = (name: string, password: string) => {
      const dir = join(registry.dir, name);
      mkdirSync(dir);
      const auth = Buffer.from(`${user.username}:${password}`).toString('base64');
      writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths: { [registry.host]: { auth } } }));
      return dir;
    };
    const serverEnv = { DVOL_CERTS_DIR: registry.certsDir };
    const a = await machine(t, { serverEnv, cliEnv: { DOCKER_CONFIG: config('good', user.password) } });
    const wrong = await machine(t, { serverEnv, cliEnv: { DOCKER_CONFIG: config('bad', 'battery staple') } });
    const none = await machine(t, { serverEnv, cliEnv: { DOCKER_CONFIG: join(registry.dir, 'absent') } });
    t.equal((await a.dvol('init', 'db')).code, 0);
    await put(a, 'db', 'f', 'secret rows');
    t.equal((await a.dvol('commit', '-m', 'first')).code, 0);
    t.equal((await a.dvol('remote', 'add', 'origin', url)).code, 0);
    const pushed = await a.dvol('push');
    t.equal(pushed.code, 0, pushed.err);
    t.notMatch(pushed.out + pushed.err, /correct horse|YWxpY2U/, 'no credentials in the output');

    const refused = await wrong.dvol('clone', url, 'copy');
    t.equal(refused.code, 1);
    t.match(
      refused.err,
      new RegExp(
        `^dvol: registry ${registry.host} refused the credentials for 'team/db'\nhint: .*docker login`,
      ),
    );
    t.notMatch(refused.err, /battery/);
    t.equal(await wrong.store.getVolume('copy'), undefined, 'a refused clone leaves no volume');
    const anonymous = await none.dvol('clone', url, 'copy');
    t.equal(anonymous.code, 1);
    t.match(anonymous.err, /requires credentials/);
    const good = await machine(t, { serverEnv, cliEnv: { DOCKER_CONFIG: join(registry.dir, 'good') } });
    const cloned = await good.dvol('clone', url, 'copy');
    t.equal(cloned.code, 0, cloned.err);
    t.same(await ids(good, 'copy'), await ids(a, 'db'));
  },
);

t.test('a push with credentials to a repository anyone can read warns loudly', async (t) => {
  const registry = await startTestRegistry(t);
  const dir = join(registry.dir, 'docker');
  mkdirSync(dir);
  const auth = Buffer.from('alice:secret').toString('base64');
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths: { [registry.host]: { auth } } }));
  const a = await machine(t, { cliEnv: { DOCKER_CONFIG: dir } });
  t.equal((await a.dvol('init', 'db')).code, 0);
  await put(a, 'db', 'f', 'rows');
  t.equal((await a.dvol('commit', '-m', 'first')).code, 0);
  t.equal((await a.dvol('remote', 'add', 'origin', `${registry.host}/team/db`)).code, 0);
  const pushed = await a.dvol('push');
  t.equal(pushed.code, 0);
  t.match(pushed.err, /^warning: 127\.0\.0\.1:\d+\/team\/db can be read WITHOUT credentials/m);
  t.notMatch(pushed.out + pushed.err, /secret|YWxpY2U/);
  t.equal((await a.dvol('push')).err, '', 'no warning when nothing was pushed');
});
