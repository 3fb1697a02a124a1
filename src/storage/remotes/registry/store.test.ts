import t, { type Test } from 'tap';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { join } from 'node:path';
import { rejectsWith } from '../../drivers/conformance/context.testkit.js';
import { blobStoreConformance, randomBlob } from '../blobstore.testkit.js';
import { type RemoteUrl, parseRemoteUrl } from '../url.js';
import { corruptRegistryBlob, startTestRegistry, type TestRegistry } from './registry.testkit.js';
import { type RegistryStoreOptions, openRegistryStore, type RegistryStore } from './store.js';

type RegistryUrl = Extract<RemoteUrl, { kind: 'registry' }>;
const ALICE = { username: 'alice', password: 'correct horse' };

let repos = 0;
/** A store on a fresh repository of `registry`, closed at teardown. */
function storeOn(t: Test, registry: TestRegistry, opts: RegistryStoreOptions = {}): RegistryStore {
  const url = parseRemoteUrl(`${registry.host}/test/r${++repos}`);
  if (url.kind !== 'registry') throw new Error('not a registry URL');
  const store = openRegistryStore(url, {
    certsDir: registry.certsDir,
    tagPageSize: 3,
    credentials: null,
    ...opts,
  });
  t.teardown(() => store.close());
  return store;
}

t.test('an open registry on loopback (plain HTTP) passes the conformance suite', async (t) => {
  const registry = await startTestRegistry(t);
  blobStoreConformance(t, async (t) => storeOn(t, registry), {
    corrupt: async (_store, digest) => corruptRegistryBlob(registry, digest),
    deletesTags: false,
  });
});

t.test('a registry behind TLS and htpasswd passes the conformance suite', async (t) => {
  const registry = await startTestRegistry(t, { tls: true, users: [ALICE] });
  // tap gives a test one testdir (a second call would empty it): config.json goes in the registry's.
  const configDir = join(registry.dir, 'docker');
  mkdirSync(configDir);
  const auths = { [registry.host]: { username: ALICE.username, password: ALICE.password } };
  writeFileSync(join(configDir, 'config.json'), JSON.stringify({ auths }));
  blobStoreConformance(t, async (t) => storeOn(t, registry, { credentials: undefined, configDir }), {
    corrupt: async (_store, digest) => corruptRegistryBlob(registry, digest),
    deletesTags: false,
  });
});

t.test('cross-repository mount moves no bytes', async (t) => {
  const registry = await startTestRegistry(t);
  const source = storeOn(t, registry);
  const target = storeOn(t, registry);
  const sourceRepo = source.location.slice(registry.host.length + 1);
  const blob = randomBlob(200_000);
  await source.putBlob(blob.digest, blob.data);
  t.equal(await target.mountBlob(blob.digest, sourceRepo), true, 'mounted from the sibling repository');
  t.ok((await target.getBlob(blob.digest)).equals(blob.data), 'and readable in the target');
  const absent = randomBlob(10);
  t.equal(await target.mountBlob(absent.digest, sourceRepo), false, 'a blob the source lacks is not mounted');
  t.equal(await target.hasBlob(absent.digest), false);
  const other = randomBlob(1000);
  await target.putBlobMounted(other.digest, other.data, sourceRepo);
  t.ok(
    (await target.getBlob(other.digest)).equals(other.data),
    'putBlobMounted uploads what it cannot mount',
  );
});

/**
 * A proxy in front of a real registry that refuses PATCH with 405, as some registries do: a fault
 * the CNCF registry cannot produce. Counts the requests it sees by method.
 */
async function patchRefusingProxy(t: Test, registry: TestRegistry) {
  const seen = { PATCH: 0, PUT_WITH_BODY: 0 };
  const [, port] = registry.host.split(':');
  const server = createServer((req, res) => {
    if (req.method === 'PATCH') {
      seen.PATCH++;
      req.resume();
      res.writeHead(405).end();
      return;
    }
    if (req.method === 'PUT' && Number(req.headers['content-length']) > 0) seen.PUT_WITH_BODY++;
    const upstream = request(
      { host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => server.close());
  return { host: `127.0.0.1:${(server.address() as { port: number }).port}`, seen };
}

t.test('a registry that refuses PATCH (fault faked by a proxy) gets the blob as one PUT', async (t) => {
  const registry = await startTestRegistry(t);
  const proxy = await patchRefusingProxy(t, registry);
  const store = storeOn(t, { ...registry, host: proxy.host });
  const blob = randomBlob(300_000);
  await store.putBlob(blob.digest, blob.data);
  t.same(proxy.seen, { PATCH: 1, PUT_WITH_BODY: 1 }, 'one refused PATCH, then a monolithic PUT');
  const direct = openRegistryStore(
    parseRemoteUrl(`${registry.host}/${store.location.split('/').slice(1).join('/')}`) as RegistryUrl,
    { credentials: null },
  );
  t.teardown(() => direct.close());
  t.ok((await direct.getBlob(blob.digest)).equals(blob.data), 'the registry has it whole');
});

t.test('throughput of a 16 MiB blob to and from the loopback registry', async (t) => {
  const registry = await startTestRegistry(t);
  const store = storeOn(t, registry);
  const blob = randomBlob(16 * 1024 * 1024);
  const mib = (ms: number) => `${((16 / ms) * 1000).toFixed(0)} MiB/s`;
  let start = performance.now();
  await store.putBlob(blob.digest, blob.data);
  const up = performance.now() - start;
  start = performance.now();
  const back = await store.getBlob(blob.digest);
  const down = performance.now() - start;
  t.ok(back.equals(blob.data), 'the same bytes came back');
  t.comment(`16 MiB upload ${up.toFixed(0)} ms (${mib(up)}), download ${down.toFixed(0)} ms (${mib(down)})`);
});

t.test('a hostile server sending an endless manifest (a fake registry) is cut off', async (t) => {
  const server = createServer((req, res) => {
    if (req.url === '/v2/') return void res.writeHead(200).end();
    res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' });
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    const more = () => {
      while (!res.destroyed && res.write(chunk));
    };
    res.on('drain', more);
    more();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => server.close());
  const host = `127.0.0.1:${(server.address() as { port: number }).port}`;
  const store = storeOn(t, { host, dir: '', dataDir: '' });
  await rejectsWith(t, store.getManifest('big'), 'corrupt', 'more than 8 MiB');
});
