// Entry point: listen on the plugin socket at once, open the store meanwhile, then the CLI socket;
// on SIGTERM/SIGINT let running requests finish, close the sockets and exit 0.

import { realpathSync } from 'node:fs';
import type { Server } from 'node:http';
import { pathToFileURL } from 'node:url';
import { configFromEnv, type ServerConfig } from './config.js';
import type { Deps } from './deps.js';
import { CLI_SOCKET, cliOnly, closeServer, groupOf, listenUnix } from './listen.js';

/** Docker kills a plugin 10 s after SIGTERM: give up waiting a little before that. */
const SHUTDOWN_LIMIT_MS = 8_000;

/** A started server: its sockets, its collaborators once ready, and how to stop it. */
export interface Running {
  servers: Server[];
  ready: Promise<Deps>;
  stop(): Promise<void>;
}

/**
 * Starts serving. The plugin socket listens before the store is open (Docker gives a plugin ~9 s, we
 * aim for well under 2 s); requests wait for the store rather than answer "no such volume".
 */
export async function start(config: ServerConfig): Promise<Running> {
  // Only the socket code is loaded before listening; the store, the app and their dependencies load
  // meanwhile (a second or more on a busy host), and requests wait for them.
  const modules = Promise.all([
    import('../storage/store.js'),
    import('../storage/drivers/index.js'),
    import('./services.js'),
    import('./app.js'),
  ]);
  const deps = modules.then(async ([{ openStore }, { driverFactories }, { buildDeps }]) => {
    const store = await openStore(
      config.stateDir,
      config.driver === 'auto' ? {} : { defaultDriver: config.driver },
    );
    return buildDeps(config, store, driverFactories).catch(async (err: unknown) => {
      await store.close();
      throw err;
    });
  });
  const app = modules.then(([, , , { createApp }]) => createApp(deps));
  // A failed start is reported through `ready` (and by every request), not as an unhandled rejection.
  app.catch(() => undefined);
  const fetch = async (request: Request) => (await app).fetch(request);
  const servers = [await listenUnix(fetch, config.socket)];
  // The CLI's socket lives in the state directory, which the store must have made its own first. It is
  // group-accessible to the Docker socket's group, so members of `docker` need no sudo.
  const ready = deps.then(async (d) => {
    const gid = await groupOf(config.dockerSocket);
    servers.push(await listenUnix(cliOnly(fetch), config.cliSocket, { mode: 0o660, gid }, CLI_SOCKET));
    return d;
  });
  const stop = async () => {
    await ready.catch(() => undefined);
    await Promise.all(servers.map(closeServer));
    await (await deps.catch(() => undefined))?.store.close();
  };
  return { servers, ready, stop };
}

async function main(): Promise<void> {
  const config = configFromEnv();
  const starting = start(config);
  // Installed before anything is awaited: as PID 1, node would otherwise ignore SIGTERM until then.
  const shutdown = (signal: string) => {
    console.log(`dvol: ${signal}: finishing running requests`);
    setTimeout(() => process.exit(0), SHUTDOWN_LIMIT_MS).unref();
    void starting
      .then((running) => running.stop())
      .then(
        () => {
          process.exitCode = 0;
        },
        () => undefined,
      );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  const running = await starting;
  console.log(`dvol: listening on ${config.socket}`);
  try {
    await running.ready;
    console.log(`dvol: store open at ${config.stateDir}; CLI socket ${config.cliSocket}`);
  } catch (err) {
    // Answering Get with an error would make Docker forget every volume; being unreachable does not.
    console.error('dvol: cannot open the store:', err);
    process.exitCode = 1;
    await running.stop();
  }
}

// Run only as the entry point, so tests can import start().
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  main().catch((err: unknown) => {
    console.error('dvol:', err);
    process.exitCode = 1;
  });
}
