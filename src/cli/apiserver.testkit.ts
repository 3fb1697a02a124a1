// Test helper: the real server app on a temporary unix socket with a plain store, and a `dvol` runner
// that talks to it (no plugin, no Docker). src/cli touches src/server only in tests.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
/* eslint-disable @typescript-eslint/no-restricted-imports -- tests run the CLI against the real server */
import { createApp } from '../server/app.js';
import { configFromEnv } from '../server/config.js';
import { closeServer, listenUnix } from '../server/listen.js';
import { buildDeps } from '../server/services.js';
/* eslint-enable @typescript-eslint/no-restricted-imports */
import type { Store } from '../storage/model.js';
import { openStore } from '../storage/store.js';
import { captureIo } from './io.testkit.js';
import { main } from './main.js';

/** What running `dvol ...argv` gave. */
export interface Run {
  code: number;
  out: string;
  err: string;
}

/** Starts the server (stopped and removed at t's teardown); resolves to its store and a CLI runner. */
export async function cliAgainstServer(
  t: Test,
  /** More environment for the server (DVOL_CERTS_DIR) and for the CLI (DOCKER_CONFIG). */
  more: { serverEnv?: NodeJS.ProcessEnv; cliEnv?: NodeJS.ProcessEnv } = {},
): Promise<{ store: Store; dvol: (...argv: string[]) => Promise<Run> }> {
  const dir = await mkdtemp(join(tmpdir(), 'dvol-cli-'));
  const state = join(dir, 'state');
  const socket = join(dir, 'api.sock');
  const store = await openStore(state, { defaultDriver: 'plain' });
  const config = configFromEnv({
    DVOL_STATE: state,
    DVOL_MOUNTS: join(dir, 'mnt'),
    DOCKER_SOCKET: join(dir, 'none'),
    ...more.serverEnv,
  });
  const deps = await buildDeps(config, store);
  const server = await listenUnix(createApp(deps).fetch, socket);
  t.teardown(async () => {
    await closeServer(server);
    await deps.scheduler.stop();
    await deps.mirrors.close();
    await deps.watches.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  const env = {
    PATH: process.env.PATH,
    DVOL_SOCKET: socket,
    HOME: dir,
    XDG_CONFIG_HOME: join(dir, 'xdg'),
    ...more.cliEnv,
  };
  const dvol = async (...argv: string[]): Promise<Run> => {
    const cap = captureIo({ env });
    const code = await main(argv, cap.io);
    return { code, out: cap.out(), err: cap.err() };
  };
  return { store, dvol };
}
