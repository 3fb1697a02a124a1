// The server's configuration, read once from the environment (the plugin's config.json sets it).

import { join } from 'node:path';
import { driverNames, isDriverName, type DriverName } from '../storage/drivers/index.js';
import { DvolError } from '../storage/errors.js';
import { quote } from '../storage/names.js';

/** Everything the server needs to know about where it runs. */
export interface ServerConfig {
  /** State directory holding every volume's data and history (a host bind mount in the plugin). */
  stateDir: string;
  /** The socket Docker talks to. */
  socket: string;
  /** Second socket for the CLI, group-accessible to the Docker socket's group: `<state>/run/dvol.sock`. */
  cliSocket: string;
  /** Where volumes are bind-mounted for containers: the plugin's propagatedMount. */
  mountsRoot: string;
  /** Default snapshot driver for new volumes; 'auto' detects it from the state directory. */
  driver: DriverName | 'auto';
  /** The Docker Engine API socket, used to stop, start and pause containers. */
  dockerSocket: string;
  /** Our volume driver's name as containers' mounts show it (managed plugins add a tag). */
  pluginName: string;
  /** Log every request. */
  debug: boolean;
  /** Docker's per-registry CA directory (`<dir>/<host:port>/*.crt`) for remotes; default /etc/docker/certs.d. */
  certsDir?: string;
  /** How long a streamed answer waits for a client that reads nothing before dropping it (ms). */
  writeTimeoutMs?: number;
}

/** Reads DVOL_STATE, DVOL_SOCKET, DVOL_MOUNTS, DVOL_DRIVER, DVOL_PLUGIN_NAME, DVOL_DEBUG, DVOL_CERTS_DIR, DOCKER_SOCKET. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const stateDir = env.DVOL_STATE || '/var/lib/dvol';
  const driver = env.DVOL_DRIVER || 'auto';
  if (driver !== 'auto' && !isDriverName(driver)) {
    throw new DvolError(
      'invalid',
      `unknown snapshot driver ${quote(driver)} in DVOL_DRIVER`,
      `use one of: auto, ${driverNames.join(', ')}`,
    );
  }
  return {
    stateDir,
    socket: env.DVOL_SOCKET || '/run/docker/plugins/dvol.sock',
    cliSocket: cliSocketPath(stateDir),
    mountsRoot: env.DVOL_MOUNTS || '/mnt/volumes',
    driver,
    dockerSocket: env.DOCKER_SOCKET || '/var/run/docker.sock',
    pluginName: env.DVOL_PLUGIN_NAME || 'dvol',
    debug: env.DVOL_DEBUG !== undefined && !['', '0', 'false'].includes(env.DVOL_DEBUG),
    ...(env.DVOL_CERTS_DIR ? { certsDir: env.DVOL_CERTS_DIR } : {}),
  };
}

/** The CLI socket of a state directory (documented in docs/api.md). */
export function cliSocketPath(stateDir: string): string {
  return join(stateDir, 'run', 'dvol.sock');
}
