// Serving the app on unix sockets: stale socket removal, permissions, keep-alive, graceful close.

import { createAdaptorServer } from '@hono/node-server';
import type { Server } from 'node:http';
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

/** Listens on a unix socket, replacing a stale socket file left by a killed process. */
export async function listenUnix(
  fetch: Parameters<typeof createAdaptorServer>[0]['fetch'],
  path: string,
  access?: SocketAccess,
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
  const server = createAdaptorServer({ fetch, hostname: 'plugin.moby.localhost' }) as Server;
  // Docker's plugin client keeps idle connections with no timeout of its own; Node's 5 s default
  // races it, and the race surfaces as a transport error the daemon retries for up to 30 s.
  server.keepAliveTimeout = 10 * 60_000;
  server.headersTimeout = server.keepAliveTimeout + 1000;
  // Checkout and reset stop containers: a request can legitimately take minutes.
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
