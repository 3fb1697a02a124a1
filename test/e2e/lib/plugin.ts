// The installed managed plugin under test: its name, its socket, the /dvol API over that socket,
// and the fsck invariant check run after every mutating e2e step.
import { utimesSync } from 'node:fs';
import { request } from 'node:http';
import type { Test } from 'tap';
import { docker, dockerResult, runOk } from './exec.js';
import { waitFor } from './wait.js';

/** The name `npm run setup` and the e2e tier install the plugin as (`-d dvol`, compose `driver: dvol`). */
export const PLUGIN = 'dvol';
/** How Docker names the driver of the plugin's volumes. */
export const DRIVER = 'dvol:latest';
const REPO = new URL('../../../', import.meta.url).pathname;

export async function pluginId(name = PLUGIN): Promise<string> {
  return docker('plugin', 'inspect', '-f', '{{.Id}}', name);
}

/** The host path of the plugin's VolumeDriver socket (it serves the /dvol API too). */
export async function pluginSocket(name = PLUGIN): Promise<string> {
  return `/run/docker/plugins/${await pluginId(name)}/dvol.sock`;
}

export async function pluginEnabled(name = PLUGIN): Promise<boolean> {
  const r = await dockerResult('plugin', 'inspect', '-f', '{{.Enabled}}', name);
  return r.code === 0 && r.stdout.trim() === 'true';
}

/** Waits until the plugin is enabled and answers on its socket (after enable or a dockerd restart). */
export async function waitForPlugin(name = PLUGIN): Promise<void> {
  await waitFor(`plugin ${name} to be enabled and answering`, async () => {
    if (!(await pluginEnabled(name))) return false;
    return (await api('GET', '/dvol/version', undefined, name)).status === 200;
  });
}

/** Builds the plugin from this tree and installs it as `dvol` (what npm test does before the e2e tier). */
export async function installFromTree(): Promise<void> {
  await runOk('bash', ['build/plugin.sh'], { cwd: REPO, timeout: 600_000 });
  await runOk('bash', ['build/install-plugin.sh', '--force', PLUGIN], { cwd: REPO, timeout: 300_000 });
}

export interface ApiAnswer {
  status: number;
  body: unknown;
}

/** One request to the plugin's HTTP API over its unix socket, as the CLI or curl would make it. */
export async function api(method: string, path: string, body?: unknown, name = PLUGIN): Promise<ApiAnswer> {
  const socketPath = await pluginSocket(name);
  const payload = body === undefined ? '' : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      { socketPath, method, path, headers: { 'content-length': Buffer.byteLength(payload) } },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, body: text === '' ? {} : JSON.parse(text) });
          } catch (err) {
            reject(
              new Error(`${method} ${path}: the answer is not JSON: ${text.slice(0, 200)}`, { cause: err }),
            );
          }
        });
      },
    );
    req.on('error', reject);
    req.setTimeout(60_000, () => req.destroy(new Error(`${method} ${path}: no answer in 60 s`)));
    req.end(payload);
  });
}

/** Asserts the store's invariants hold (`GET /dvol/fsck` finds no problem); run it after each mutating step. */
export async function fsck(t: Test, volume?: string): Promise<void> {
  const path = volume === undefined ? '/dvol/fsck' : `/dvol/volumes/${volume}/fsck`;
  const answer = await api('GET', path);
  t.equal(answer.status, 200, `fsck ${volume ?? 'of every volume'} answers`);
  t.same(
    (answer.body as { problems?: unknown }).problems,
    [],
    `fsck ${volume ?? ''} finds no problem`.trim(),
  );
}

/**
 * Creates (disabled) a second plugin NAME from the tree's build/out/plugin, removed at teardown.
 * Touches rootfs/ first: Docker 20.10 refuses a plugin whose layer is already stored
 * ("content sha256:... already exists"), and the directory's mtime makes the layer new.
 */
export async function createPluginCopy(t: Test, name: string): Promise<string> {
  const dir = `${REPO}build/out/plugin`;
  const now = new Date();
  utimesSync(`${dir}/rootfs`, now, now);
  t.teardown(() => dockerResult('plugin', 'rm', '-f', name));
  await docker('plugin', 'create', name, dir);
  return name;
}
