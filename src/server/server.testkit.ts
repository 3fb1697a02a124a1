// Test helpers: an app on a real store in a tap test directory, and requests made the way dockerd makes them.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { openTestStore } from '../storage/store.testkit.js';
import type { Store } from '../storage/model.js';
import { createApp } from './app.js';
import { mountedUnder, unmount } from './bind.js';
import { cliSocketPath, type ServerConfig } from './config.js';
import type { Deps } from './deps.js';
import { buildDeps } from './services.js';

export type App = ReturnType<typeof createApp>;

/** A server's app and collaborators on a fresh store; every bind mount it made is undone at teardown. */
export async function testServer(
  t: Test,
  overrides: Partial<ServerConfig> = {},
): Promise<{ app: App; deps: Deps; store: Store; config: ServerConfig }> {
  const mounted: { root?: string } = {};
  // The test directory cannot be removed while something is mounted in it (tap removes it after
  // every teardown has run).
  t.teardown(async () => {
    const root = mounted.root;
    if (root === undefined) return;
    for (const name of await mountedUnder(root)) await unmount(join(root, name));
  });
  // Registered before the store's own teardown: the scheduler stops before the store closes.
  const started: { deps?: Deps } = {};
  t.teardown(() => started.deps?.scheduler.stop());
  const config = { ...testConfig(t.testdir()), ...overrides };
  const store = await openTestStore(t, { root: config.stateDir });
  const deps = await buildDeps(config, store);
  mounted.root = deps.mountpoints.root;
  started.deps = deps;
  // Before the store closes: mirrors and watches keep sockets and inotify watches open.
  t.teardown(async () => {
    await deps.mirrors.close();
    await deps.watches.close();
  });
  return { app: createApp(deps), deps, store, config };
}

/** A short directory: a unix socket path must fit in 107 bytes, and tap's test directories are long. */
export async function shortDir(t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'dvol-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A configuration with everything under `dir`, the real Docker socket and the plain driver. */
export function testConfig(dir: string): ServerConfig {
  const stateDir = join(dir, 'state');
  return {
    stateDir,
    socket: join(dir, 'plugin.sock'),
    cliSocket: cliSocketPath(stateDir),
    mountsRoot: join(dir, 'mnt'),
    driver: 'plain',
    dockerSocket: '/var/run/docker.sock',
    pluginName: 'dvol',
    debug: false,
  };
}

/** A plugin response: HTTP status and the parsed body. */
export interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/**
 * Calls a plugin route exactly as dockerd does: POST, only an Accept header (no Content-Type, so the
 * body goes as bytes), the JSON encoder's trailing newline, and an empty body when `args` is undefined.
 */
export async function docker(app: App, method: string, args?: unknown): Promise<Answer> {
  const body = new TextEncoder().encode(args === undefined ? '' : JSON.stringify(args) + '\n');
  const res = await app.request(`/${method}`, {
    method: 'POST',
    headers: { Accept: 'application/vnd.docker.plugins.v1.2+json' },
    body,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Calls a /dvol route the way the CLI does: JSON body, JSON answer. */
export async function api(app: App, method: string, path: string, body?: unknown): Promise<Answer> {
  const res = await app.request(`/dvol${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
