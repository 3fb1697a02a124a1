// A private registry for the distribution tests: Debian's docker-registry on 127.0.0.1 and a free
// port, with its storage in a tap test dir; stopped at teardown.
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Test } from 'tap';
import { freePort } from '../../../src/storage/net.testkit.js';
import { waitFor } from './wait.js';

/** Where daemons started by e2e helpers leave pid files, so .ci/run can stop them after a crash. */
const RUNDIR = process.env.DVOL_E2E_RUNDIR ?? '/run/dvol-e2e';

/** Starts a registry; resolves with its `127.0.0.1:PORT` address once /v2/ answers. */
export async function startRegistry(t: Test): Promise<string> {
  const dir = t.testdir({});
  const port = await freePort();
  const addr = `127.0.0.1:${port}`;
  const config = join(dir, 'config.yml');
  writeFileSync(
    config,
    [
      'version: 0.1',
      'log: { level: warn }',
      `storage: { filesystem: { rootdirectory: ${join(dir, 'data')} }, delete: { enabled: true } }`,
      `http: { addr: "${addr}" }`,
      '',
    ].join('\n'),
  );
  const registry = spawn('docker-registry', ['serve', config], { stdio: ['ignore', 'ignore', 'inherit'] });
  const spawned = new Promise<void>((resolve, reject) => {
    registry.once('spawn', resolve);
    registry.once('error', (err) =>
      reject(new Error(`docker-registry could not start (apt-get install docker-registry): ${err.message}`)),
    );
  });
  await spawned;
  mkdirSync(RUNDIR, { recursive: true });
  const pidfile = join(RUNDIR, `registry-${registry.pid}.pid`);
  writeFileSync(pidfile, `${registry.pid}\n`);
  t.teardown(() => {
    registry.kill('SIGTERM');
    rmSync(pidfile, { force: true });
  });
  await waitFor(`the registry on ${addr}`, async () => (await fetch(`http://${addr}/v2/`)).status === 200, {
    timeoutMs: 30_000,
  });
  return addr;
}
