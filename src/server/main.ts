// Entry point: listen on the plugin socket at once, open the store meanwhile (again, when it failed,
// on a later request), then the CLI socket; on SIGTERM/SIGINT let running requests finish, close the
// sockets and exit 0.

import { realpathSync } from 'node:fs';
import { rmdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { configFromEnv, type ServerConfig } from './config.js';
import type { Deps } from './deps.js';
import { CLI_SOCKET, cliOnly, closeServer, groupOf, listenUnix } from './listen.js';
import { Reopener, type Attempt } from './reopen.js';
import type { Bindings } from './unavailable.js';

/** Docker kills a plugin 10 s after SIGTERM: give up waiting a little before that. */
const SHUTDOWN_LIMIT_MS = 8_000;

/** A started server: its sockets, its collaborators once ready, and how to stop it. */
export interface Running {
  servers: Server[];
  /** The first attempt to open the store: its collaborators, or why it failed. */
  ready: Promise<Deps>;
  stop(): Promise<void>;
}

/** What answers requests: the full app over an open store, or the one saying why it is not open. */
interface Serving {
  fetch(request: Request, env: Bindings): Response | Promise<Response>;
}

/**
 * Starts serving. The plugin socket listens before the store is open (Docker gives a plugin ~9 s, we
 * aim for well under 2 s); requests wait for the store rather than answer "no such volume". When the
 * store cannot be opened the server keeps listening, answers why (src/server/unavailable.ts), and
 * tries again on a request at least a second after the last failure.
 */
export async function start(config: ServerConfig): Promise<Running> {
  // Only the socket code and the driver registry (config.ts checks DVOL_DRIVER against it) are loaded
  // before listening; the store, the app and their dependencies load meanwhile (a second or more on a
  // busy host), and requests wait for them.
  const modules = Promise.all([
    import('../storage/store.js'),
    import('./services.js'),
    import('./app.js'),
    import('./unavailable.js'),
  ]);
  const log = failureLog();
  const opener = modules.then(
    ([{ openStore }, { buildDeps }, { createApp }, { unavailableApp }]) =>
      new Reopener<{ deps: Deps; app: Serving }, Serving>(
        async () => {
          const store = await openStore(
            config.stateDir,
            config.driver === 'auto' ? {} : { defaultDriver: config.driver },
          );
          const deps = await buildDeps(config, store).catch(async (err: unknown) => {
            await store.close();
            throw err;
          });
          log.opened();
          return { deps, app: createApp(deps) };
        },
        (err) => {
          log.failed(err);
          return unavailableApp(config, err);
        },
      ),
  );
  const servers: Server[] = [];
  const cli = cliSocket(config, servers);
  const fetch = async (request: Request, env: Bindings) => {
    const attempt = await (await opener).current();
    void cli.follow(attempt, fetch);
    return (attempt.ok ? attempt.value.app : attempt.failure).fetch(request, env);
  };
  servers.push(await listenUnix(fetch, config.socket));
  const first = opener.then((o) => o.first);
  const ready = first.then(async (attempt) => {
    await cli.follow(attempt, fetch);
    if (!attempt.ok) throw attempt.error;
    return attempt.value.deps;
  });
  // A failed start is reported through `ready` (and by every request), not as an unhandled rejection.
  ready.catch(() => undefined);
  const stop = async () => {
    const opened = await opener.then(
      (o) => o.close(),
      () => undefined,
    );
    await cli.close();
    await Promise.all(servers.map(closeServer));
    if (opened) {
      await opened.deps.scheduler.stop();
      await opened.deps.mirrors.close();
      await opened.deps.watches.close();
      await opened.deps.store.close();
    } else await cli.removeRunDir();
  };
  return { servers, ready, stop };
}

/**
 * The CLI's socket, `<state>/run/dvol.sock`, group-accessible to the Docker socket's group so members
 * of `docker` need no sudo. It is made once the first attempt to open the store is over, even a
 * failed one, so the CLI hears why; but not while another process holds the state directory (that
 * socket is the other process's), nor when the directory refuses it (the CLI then falls back to the
 * root-only plugin socket).
 */
function cliSocket(config: ServerConfig, servers: Server[]) {
  let listening: Promise<boolean> | undefined;
  /** The attempt after which listening failed: the next attempt may have fixed the directory. */
  let failedAfter: Attempt<unknown, unknown> | undefined;
  let closed = false;
  return {
    /** Listens once an attempt allows it; resolves when done (or failed: the server goes on without). */
    async follow(attempt: Attempt<unknown, unknown>, fetch: Parameters<typeof listenUnix>[0]): Promise<void> {
      const locked = !attempt.ok && (attempt.error as { code?: unknown } | undefined)?.code === 'locked';
      if (closed || locked || attempt === failedAfter || (listening && (await listening))) return;
      listening ??= groupOf(config.dockerSocket)
        .then((gid) => listenUnix(cliOnly(fetch), config.cliSocket, { mode: 0o660, gid }, CLI_SOCKET))
        .then(
          (server) => {
            servers.push(server);
            return true;
          },
          (err: unknown) => {
            if (failedAfter === undefined) console.error(`dvol: no CLI socket at ${config.cliSocket}:`, err);
            failedAfter = attempt;
            listening = undefined;
            return false;
          },
        );
      await listening;
    },
    /** No more listening; resolves once a listen in progress is over. */
    async close(): Promise<void> {
      closed = true;
      await listening;
    },
    /** After serving without a store: leave the directory as it was found, if nothing else is in run/. */
    async removeRunDir(): Promise<void> {
      if (listening && (await listening)) await rmdir(dirname(config.cliSocket)).catch(() => undefined);
    },
  };
}

/** Logs each failure to open once (retries repeat it), and the open that follows one. */
function failureLog() {
  let last: string | undefined;
  return {
    failed(err: unknown) {
      const e = err as { message?: unknown; hint?: unknown; code?: unknown } | undefined;
      const text = `${String(e?.message ?? err)}${e?.hint ? `\nhint: ${String(e.hint)}` : ''}`;
      if (text !== last) {
        console.error(
          `dvol: cannot open the store (every request is answered with why until it opens): ${text}`,
        );
        // Without a code it is no DvolError: a bug or a system error, whose stack the operator needs.
        if (e?.code === undefined || e.code === 'internal') console.error(err);
      }
      last = text;
    },
    opened() {
      if (last !== undefined) console.log('dvol: the store opened on a retry');
      last = undefined;
    },
  };
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
  // A failure was logged; the server keeps answering why, so `docker plugin enable` succeeds and
  // `docker volume create` and `dvol list` show the reason.
  await running.ready.then(
    () => console.log(`dvol: store open at ${config.stateDir}; CLI socket ${config.cliSocket}`),
    () => undefined,
  );
}

// Run only as the entry point, so tests can import start().
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  main().catch((err: unknown) => {
    console.error('dvol:', err);
    process.exitCode = 1;
  });
}
