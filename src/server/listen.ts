// Serving the app on unix sockets: stale socket removal, permissions, timeouts and connection caps,
// what the CLI socket serves, graceful close.

import { createAdaptorServer } from '@hono/node-server';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { chmod, chown, mkdir, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DvolError } from '../storage/errors.js';

/** sun_path holds 108 bytes including the terminating NUL. */
const MAX_SOCKET_PATH = 107;

/** Who may connect: a mode and, when known, the group that gets it. */
export interface SocketAccess {
  mode: number;
  gid?: number;
}

/** How long a connection may stay idle, and how many may be open at once. */
export interface SocketLimits {
  /** Idle time between two requests on one connection before it is closed (ms). */
  keepAliveMs: number;
  /** Time a connection may send nothing while no request of it is running, e.g. right after opening (ms). */
  idleMs: number;
  /** Connections beyond this many are closed as they arrive. */
  maxConnections: number;
}

/**
 * Docker's plugin client keeps idle connections with no timeout of its own; Node's 5 s default
 * races it, and the race surfaces as a transport error the daemon retries for up to 30 s. Only root
 * reaches this socket, and dockerd uses a handful of connections.
 */
export const PLUGIN_SOCKET: SocketLimits = {
  keepAliveMs: 10 * 60_000,
  idleMs: 10 * 60_000 + 1000,
  maxConnections: 512,
};

/**
 * The CLI makes one request per connection; every member of the docker group can connect. Its own
 * cap keeps a thousand idle connections here from taking what the plugin socket needs.
 */
export const CLI_SOCKET: SocketLimits = { keepAliveMs: 5_000, idleMs: 10_000, maxConnections: 128 };

type Fetch = Parameters<typeof createAdaptorServer>[0]['fetch'];

/** Listens on a unix socket, replacing a stale socket file left by a killed process. */
export async function listenUnix(
  fetch: Fetch,
  path: string,
  access?: SocketAccess,
  limits: SocketLimits = PLUGIN_SOCKET,
): Promise<Server> {
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH) {
    // Longer paths are silently truncated by the kernel and fail with a misleading EADDRINUSE.
    throw new DvolError(
      'invalid',
      `the socket path ${path} is ${Buffer.byteLength(path)} bytes long; unix sockets allow ${MAX_SOCKET_PATH}`,
      'choose a shorter state directory or socket path',
    );
  }
  await mkdir(dirname(path), { recursive: true, mode: 0o755 });
  await rm(path, { force: true });
  // Docker 20.10 sends `Host: ` (empty) over plugin sockets; without a default hostname
  // @hono/node-server answers every such call 400 with an empty body ("VolumeDriver.Create: ").
  // Timeouts are checked every second, not every 30 s: an idle connection goes when its time is up.
  const server = createAdaptorServer({
    fetch,
    hostname: 'plugin.moby.localhost',
    serverOptions: { connectionsCheckingInterval: 1000 },
  }) as Server;
  server.keepAliveTimeout = limits.keepAliveMs;
  server.headersTimeout = limits.keepAliveMs + 1000;
  server.maxConnections = limits.maxConnections;
  dropIdle(server, limits.idleMs);
  // Checkout and reset stop containers: a request can legitimately take minutes once it has come in.
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  if (access) {
    if (access.gid !== undefined) await chown(path, process.getuid?.() ?? 0, access.gid);
    await chmod(path, access.mode);
  }
  return server;
}

/**
 * Closes connections silent for `ms` while none of their requests runs. Node's own timeouts miss a
 * connection that never sends a byte, and a running request (a checkout) may be silent for minutes.
 */
function dropIdle(server: Server, ms: number): void {
  const running = new WeakMap<Socket, number>();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    running.set(socket, (running.get(socket) ?? 0) + 1);
    res.once('close', () => running.set(socket, (running.get(socket) ?? 1) - 1));
  });
  server.on('connection', (socket: Socket) => socket.setTimeout(ms));
  // The server's own handler destroys a timed-out socket unless someone listens for 'timeout' here:
  // with a listener it is ours to decide, so a request that runs longer (a reset waiting for a slow
  // container to stop) keeps its connection.
  server.on('timeout', (socket: Socket) => {
    if (!running.get(socket)) socket.destroy();
  });
}

/**
 * The CLI socket's app: only the `/dvol` API. Docker's VolumeDriver calls belong to the plugin socket,
 * which only root can reach; here any member of the docker group could mount or remove volumes.
 */
export function cliOnly(fetch: Fetch): Fetch {
  return (request, env) => {
    const path = new URL(request.url).pathname;
    if (path === '/dvol' || path.startsWith('/dvol/')) return fetch(request, env);
    const error = {
      code: 'not_found',
      message: `the CLI socket serves only the /dvol API, not ${request.method} ${path.slice(0, 100)}`,
      hint: "Docker's plugin calls go to the plugin socket",
    };
    return Response.json({ error }, { status: 404 });
  };
}

/** The group owning a file (the Docker socket), or undefined when it does not exist. */
export async function groupOf(path: string): Promise<number | undefined> {
  return stat(path).then(
    (s) => s.gid,
    () => undefined,
  );
}

/** Stops accepting, lets running requests finish, drops idle keep-alive connections. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    // Connections that finish a request after close() would otherwise linger as keep-alive.
    const timer = setInterval(() => server.closeIdleConnections(), 100);
    server.once('close', () => clearInterval(timer));
  });
}
