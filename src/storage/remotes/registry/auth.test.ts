import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { DvolError } from '../../errors.js';
import { randomBlob } from '../blobstore.testkit.js';
import { parseRemoteUrl } from '../url.js';
import { parseChallenge } from './auth.js';
import { lookupCredentials } from './credentials.js';
import { freePort, startTestRegistry } from './registry.testkit.js';
import { type RegistryStoreOptions, openRegistryStore } from './store.js';
import { isLoopback } from './transport.js';

const ALICE = { username: 'alice', password: 'correct horse' };

function storeAt(t: Test, location: string, opts: RegistryStoreOptions) {
  const url = parseRemoteUrl(location);
  if (url.kind !== 'registry') throw new Error('not a registry URL');
  const store = openRegistryStore(url, opts);
  t.teardown(() => store.close());
  return store;
}

/** The DvolError a promise rejects with (fails the test when it resolves). */
async function failure(t: Test, promise: Promise<unknown>): Promise<DvolError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof DvolError) return err;
    throw err;
  }
  t.fail('expected a DvolError');
  return new DvolError('internal', 'resolved');
}

let dirs = 0;
/** A new directory under the test's own testdir (t.testdir() may be called once per test). */
function scratch(t: Test): string {
  t.context.root ??= t.testdir({});
  const dir = join(t.context.root as string, `d${++dirs}`);
  mkdirSync(dir);
  return dir;
}

/** A docker config dir holding `config` as config.json. */
function dockerConfig(t: Test, config: unknown): string {
  const dir = scratch(t);
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  return dir;
}

function base64(text: string): string {
  return Buffer.from(text).toString('base64');
}

t.test('a registry behind TLS and htpasswd', async (t) => {
  const registry = await startTestRegistry(t, { tls: true, users: [ALICE] });
  const repo = (name: string) => `${registry.host}/team/${name}`;
  const withConfig = (t: Test, config: unknown, extra: RegistryStoreOptions = {}): RegistryStoreOptions => ({
    certsDir: registry.certsDir,
    configDir: dockerConfig(t, config),
    ...extra,
  });

  t.test('without credentials: denied, with a hint to log in', async (t) => {
    const store = storeAt(t, repo('a'), withConfig(t, {}));
    const err = await failure(t, store.listTags());
    t.equal(err.code, 'denied');
    t.equal(err.message, `registry ${registry.host} requires credentials for 'team/a'`);
    t.equal(err.hint, `log in with 'docker login ${registry.host}'`);
  });

  t.test('a wrong password: denied, and the password is in no message', async (t) => {
    const config = { auths: { [registry.host]: { auth: base64('alice:wrong-secret') } } };
    const store = storeAt(t, repo('a'), withConfig(t, config));
    const blob = randomBlob(10);
    const err = await failure(t, store.putBlob(blob.digest, blob.data));
    t.equal(err.code, 'denied');
    t.equal(err.message, `registry ${registry.host} refused the credentials for 'team/a'`);
    t.notMatch(`${err.message} ${err.hint} ${err.stack}`, /wrong-secret|d3JvbmctC2VjcmV0/);
  });

  t.test('the right password from config.json auths (auth, and username/password)', async (t) => {
    const blob = randomBlob(1000);
    const viaAuth = storeAt(
      t,
      repo('b'),
      withConfig(t, { auths: { [registry.host]: { auth: base64('alice:correct horse') } } }),
    );
    await viaAuth.putBlob(blob.digest, blob.data);
    t.ok((await viaAuth.getBlob(blob.digest)).equals(blob.data), 'pushed and pulled');
    const viaFields = storeAt(
      t,
      repo('b'),
      withConfig(t, {
        auths: { [`https://${registry.host}/v1/`]: { username: 'alice', password: 'correct horse' } },
      }),
    );
    t.equal(await viaFields.hasBlob(blob.digest), true, 'a URL-shaped key matches the host');
  });

  t.test('the right password from a credential helper on PATH (credHelpers and credsStore)', async (t) => {
    const bin = scratch(t);
    const helper = join(bin, 'docker-credential-dvoltest');
    writeFileSync(
      helper,
      [
        '#!/bin/sh',
        'read -r url',
        `if [ "$1" = get ] && [ "$url" = "${registry.host}" ]; then`,
        `  printf '{"ServerURL":"%s","Username":"alice","Secret":"correct horse"}' "$url"`,
        'else echo "credentials not found in native keychain"; exit 1; fi',
        '',
      ].join('\n'),
    );
    chmodSync(helper, 0o755);
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
    const blob = randomBlob(500);
    const viaHelper = storeAt(
      t,
      repo('c'),
      withConfig(t, { credHelpers: { [registry.host]: 'dvoltest' } }, { env }),
    );
    await viaHelper.putBlob(blob.digest, blob.data);
    t.equal(await viaHelper.hasBlob(blob.digest), true, 'credHelpers');
    const viaStore = storeAt(t, repo('c'), withConfig(t, { credsStore: 'dvoltest' }, { env }));
    t.ok((await viaStore.getBlob(blob.digest)).equals(blob.data), 'credsStore');
    const missing = storeAt(t, repo('c'), withConfig(t, { credsStore: 'nosuchhelper' }, { env }));
    const err = await failure(t, missing.hasBlob(blob.digest));
    t.equal(err.code, 'denied');
    t.equal(err.message, 'credential helper docker-credential-nosuchhelper is not installed');
  });

  t.test('TLS without the CA: one sentence naming the registry and where the CA goes', async (t) => {
    const store = storeAt(t, repo('a'), { certsDir: scratch(t), credentials: ALICE });
    const err = await failure(t, store.listTags());
    t.equal(err.code, 'unreachable');
    t.match(err.message, new RegExp(`^the TLS certificate of registry ${registry.host} is not trusted \\(`));
    t.equal(err.hint, `if it uses a private CA, put it in /etc/docker/certs.d/${registry.host}/ca.crt`);
  });
});

t.test('an unreachable registry: connection refused, unknown host', async (t) => {
  const port = await freePort();
  const refused = await failure(t, storeAt(t, `127.0.0.1:${port}/team/db`, { credentials: null }).listTags());
  t.equal(refused.code, 'unreachable');
  t.equal(refused.message, `could not connect to registry 127.0.0.1:${port}: connection refused`);
  const unknown = await failure(
    t,
    storeAt(t, 'no-such-host.invalid/team/db', { credentials: null }).listTags(),
  );
  t.equal(unknown.code, 'unreachable');
  t.equal(unknown.message, 'could not resolve the registry host no-such-host.invalid');
});

const outside = Object.values(networkInterfaces())
  .flat()
  .find((i) => i?.family === 'IPv4' && !i.internal)?.address;

t.test(
  'plain HTTP off loopback only when marked insecure',
  { skip: !outside && 'no non-loopback address' },
  async (t) => {
    // A plain-HTTP server standing for a registry without TLS, on this machine's non-loopback address.
    const server = createServer((req, res) => res.writeHead(req.url === '/v2/' ? 200 : 404).end());
    await new Promise<void>((resolve) => server.listen(0, outside, resolve));
    t.teardown(() => server.close());
    const host = `${outside}:${(server.address() as { port: number }).port}`;
    const err = await failure(t, storeAt(t, `${host}/team/db`, { credentials: null }).listTags());
    t.equal(err.code, 'unreachable');
    t.equal(err.message, `registry ${host} does not speak TLS`);
    t.equal(err.hint, 'mark it insecure if it serves plain HTTP on purpose');
    const insecure = storeAt(t, `${host}/team/db`, { credentials: null, insecure: true });
    t.same(await insecure.listTags(), [], 'marked insecure, it is used over HTTP');
  },
);

t.test('loopback is localhost, 127.0.0.0/8 and ::1', async (t) => {
  for (const host of ['localhost', 'localhost:5000', '127.0.0.1', '127.1.2.3:80', '[::1]:5000', '[::1]']) {
    t.ok(isLoopback(host), host);
  }
  for (const host of [
    'localhost.evil.com',
    '128.0.0.1',
    '127.0.0.1.nip.io',
    '[::2]',
    '10.0.0.1:5000',
    '1127.0.0.1',
  ]) {
    t.notOk(isLoopback(host), host);
  }
});

t.test('WWW-Authenticate challenges parse', async (t) => {
  const bearer = parseChallenge(
    'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:samalba/my-app:pull,push"',
  );
  t.equal(bearer?.scheme, 'bearer');
  t.same(Object.fromEntries(bearer!.params), {
    realm: 'https://auth.docker.io/token',
    service: 'registry.docker.io',
    scope: 'repository:samalba/my-app:pull,push',
  });
  t.same(Object.fromEntries(parseChallenge('Basic realm="a \\"quoted\\" realm"')!.params), {
    realm: 'a "quoted" realm',
  });
  t.same(Object.fromEntries(parseChallenge('bearer realm=https://x/token, __proto__="y"')!.params), {
    realm: 'https://x/token',
    ['__proto__']: 'y',
  });
  t.equal(parseChallenge('Negotiate abc'), undefined);
  t.equal(parseChallenge(undefined), undefined);
});

t.test('config.json lookups', async (t) => {
  const lookup = (config: unknown, key: string) =>
    lookupCredentials(key, { configDir: dockerConfig(t, config) });
  t.same(await lookup({ auths: { 'ghcr.io': { auth: base64('u:p:with:colons') } } }, 'ghcr.io'), {
    username: 'u',
    password: 'p:with:colons',
    identityToken: undefined,
    registryToken: undefined,
  });
  t.match(
    await lookup(
      { auths: { 'https://index.docker.io/v1/': { identitytoken: 'tok' } } },
      'https://index.docker.io/v1/',
    ),
    {
      identityToken: 'tok',
    },
  );
  t.equal(await lookup({ auths: { 'ghcr.io': {} } }, 'quay.io'), undefined, 'another registry');
  t.equal(await lookup({ auths: { 'ghcr.io': {} } }, 'ghcr.io'), undefined, 'an empty entry');
  t.equal(await lookup({ auths: {} }, '__proto__'), undefined, 'not fooled by Object.prototype');
  t.equal(await lookup({ credHelpers: { constructor: 'x' } }, 'toString'), undefined);
  t.equal(await lookupCredentials('ghcr.io', { configDir: scratch(t) }), undefined, 'no config.json');
  const broken = scratch(t);
  writeFileSync(join(broken, 'config.json'), '{nope');
  const err = await failure(t, lookupCredentials('ghcr.io', { configDir: broken }));
  t.equal(err.code, 'invalid');
  t.equal(err.message, `${join(broken, 'config.json')} is not readable JSON`);
  const bad = await failure(t, lookup({ credHelpers: { 'ghcr.io': '../../bin/sh' } }, 'ghcr.io'));
  t.equal(bad.message, "credential helper name '../../bin/sh' is not valid");
});

t.test('a registry with a token service (Bearer)', async (t) => {
  const registry = await startTestRegistry(t, { tokenUsers: [ALICE] });
  const tokens = registry.tokens!;
  const repo = `${registry.host}/team/bearer`;

  t.test('anonymous: a token with no rights, then denied', async (t) => {
    const err = await failure(t, storeAt(t, repo, { credentials: null }).listTags());
    t.equal(err.code, 'denied');
    t.equal(err.message, `registry ${registry.host} requires credentials for 'team/bearer'`);
    t.ok(
      tokens.requests.some((r) => r.user === undefined && r.scope === 'repository:team/bearer:pull'),
      'asked anonymously',
    );
  });

  t.test('a wrong password: the token service refuses, denied', async (t) => {
    const err = await failure(
      t,
      storeAt(t, repo, { credentials: { username: 'alice', password: 'nope' } }).listTags(),
    );
    t.equal(err.code, 'denied');
    t.equal(err.message, `registry ${registry.host} refused the credentials for 'team/bearer'`);
  });

  t.test('pull and push scopes, and a token that dies mid-transfer is renewed', async (t) => {
    const store = storeAt(t, repo, { credentials: ALICE });
    const blob = randomBlob(100_000);
    t.equal(await store.hasBlob(blob.digest), false, 'a pull token for the HEAD');
    tokens.staleNext = 1; // the push token arrives already expired: the registry answers 401
    const before = tokens.requests.length;
    await store.putBlob(blob.digest, blob.data);
    const asked = tokens.requests.slice(before).map((r) => r.scope);
    t.same(
      asked,
      ['repository:team/bearer:pull,push', 'repository:team/bearer:pull,push'],
      'a second push token',
    );
    t.ok((await store.getBlob(blob.digest)).equals(blob.data), 'the upload completed');
  });
});

t.test('parallel requests share one token per scope', async (t) => {
  const registry = await startTestRegistry(t, { tokenUsers: [ALICE] });
  const tokens = registry.tokens!;
  const store = storeAt(t, `${registry.host}/team/parallel`, { credentials: ALICE });
  const blobs = Array.from({ length: 6 }, () => randomBlob(1000));
  // Six requests meet the first challenge at once: they must wait for one token, not ask six times.
  t.same(await Promise.all(blobs.map((b) => store.hasBlob(b.digest))), [
    false,
    false,
    false,
    false,
    false,
    false,
  ]);
  t.same(
    tokens.requests.map((r) => r.scope),
    ['repository:team/parallel:pull'],
    'one pull token for six requests',
  );
});
