import t, { type Test } from 'tap';
import { blobStoreConformance } from '../blobstore.testkit.js';
import { parseRemoteUrl } from '../url.js';
import { corruptRegistryBlob, startTestRegistry, type TestRegistry } from './registry.testkit.js';
import { type RegistryStoreOptions, openRegistryStore, type RegistryStore } from './store.js';

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
