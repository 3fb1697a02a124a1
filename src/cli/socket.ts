// Finds the plugin's API socket: DVOL_SOCKET, else the managed plugin's sockets, else the unmanaged one.

import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { getJson, localDockerSocket } from './docker-api.js';
import { CliError } from './errors.js';

/** Where a plugin run outside Docker's plugin system (`node dist/server/main.js`) listens. */
export const UNMANAGED_SOCKET = '/run/docker/plugins/dvol.sock';

/** The parts of `docker plugin inspect` output that socket discovery reads. */
export interface PluginInspect {
  Id: string;
  Name: string;
  Enabled: boolean;
  Settings?: { Mounts?: { Name?: string; Source?: string | null; Destination?: string }[] };
  Config?: { Interface?: { Socket?: string } };
}

/** What asking Docker about the plugin gave: the plugin, `missing`, or Docker's own error. */
export type InspectResult = PluginInspect | { missing: true } | { dockerError: string };

/**
 * `docker plugin inspect NAME`: asked of the Engine API on its local socket when the docker command
 * would use that socket too; otherwise, or when that fails, by running the docker command, whose own
 * message then says what is wrong.
 */
export async function inspectPlugin(
  name: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<InspectResult> {
  const socket = localDockerSocket(env);
  if (socket !== undefined) {
    const answer = await getJson(socket, `/plugins/${encodeURI(name)}/json`).catch(() => undefined);
    if (answer?.status === 200) return answer.body as PluginInspect;
    if (answer?.status === 404) return { missing: true };
  }
  return inspectWithDockerCommand(name, env);
}

/** Runs `docker plugin inspect NAME` (argv quoted by zx, no shell string; zx loads only when needed). */
async function inspectWithDockerCommand(name: string, env: NodeJS.ProcessEnv): Promise<InspectResult> {
  const { $ } = await import('zx/core');
  const out = await $({ env, nothrow: true, quiet: true })`docker plugin inspect ${name}`;
  if (out.exitCode === 0) {
    const [plugin] = JSON.parse(out.stdout) as PluginInspect[];
    if (plugin) return plugin;
  }
  const stderr = out.stderr.trim();
  // No exit status, or the shell's 127: the docker command could not be started at all.
  if (out.exitCode === null || out.exitCode === 127) {
    return { dockerError: 'the docker command was not found in PATH' };
  }
  if (/no such plugin|plugin .*not found/i.test(stderr)) return { missing: true };
  return { dockerError: stderr.split('\n')[0] || `docker exited with status ${out.exitCode}` };
}

/**
 * The sockets of an enabled managed plugin, best first: the docker-group readable CLI socket the
 * server keeps under its state directory (`<state source>/run/dvol.sock`), then the root-only
 * socket Docker gives every plugin (`/run/docker/plugins/<id>/<socket>`).
 */
export function managedSockets(plugin: PluginInspect): string[] {
  const mounts = plugin.Settings?.Mounts ?? [];
  const state =
    mounts.find((m) => m.Name === 'state') ?? mounts.find((m) => m.Destination?.includes('dvol') ?? false);
  const socket = plugin.Config?.Interface?.Socket ?? 'dvol.sock';
  const found = state?.Source ? [`${state.Source.replace(/\/+$/, '')}/run/dvol.sock`] : [];
  return [...found, `/run/docker/plugins/${plugin.Id}/${socket}`];
}

async function usable(path: string): Promise<NodeJS.ErrnoException | undefined> {
  try {
    // Connecting to a unix socket needs write permission on it.
    await access(path, constants.R_OK | constants.W_OK);
    return undefined;
  } catch (err) {
    return err as NodeJS.ErrnoException;
  }
}

/** Resolves the socket to talk to, or throws a CliError (exit 5) saying what is wrong and how to fix it. */
export async function discoverSocket(
  env: NodeJS.ProcessEnv,
  inspect: (name: string, env: NodeJS.ProcessEnv) => Promise<InspectResult> = inspectPlugin,
): Promise<string> {
  if (env.DVOL_SOCKET) return env.DVOL_SOCKET;
  const name = env.DVOL_PLUGIN || 'dvol';
  const plugin = await inspect(name, env);
  if ('Id' in plugin) {
    if (!plugin.Enabled) {
      throw new CliError(
        'unreachable',
        `the dvol plugin '${name}' is installed but disabled`,
        `docker plugin enable ${name}`,
      );
    }
    const candidates = managedSockets(plugin);
    const errors = [];
    for (const path of candidates) {
      const err = await usable(path);
      if (!err) return path;
      errors.push(err);
    }
    const [stateSocket, rootSocket] = [candidates.length > 1 ? candidates[0] : undefined, errors.at(-1)];
    if (stateSocket !== undefined && errors.length === 2 && rootSocket?.code === 'EACCES') {
      // Docker 20.10 keeps reporting a mount's old source after 'docker plugin set state.source=...'
      // once dockerd has restarted since the plugin was created, so the CLI socket may be elsewhere.
      throw new CliError(
        'unreachable',
        `cannot use the dvol plugin's CLI socket ${stateSocket} (${errors[0]?.code}), and its root-only socket is not readable by you`,
        `if the plugin's state directory was moved with 'docker plugin set ${name} state.source=DIR', run with DVOL_SOCKET=DIR/run/dvol.sock (Docker may report the old directory until dockerd restarts), or use sudo`,
      );
    }
    if (errors.some((e) => e.code === 'EACCES')) {
      throw new CliError(
        'unreachable',
        `permission denied on the dvol plugin's sockets (${candidates.join(', ')})`,
        "add yourself to the 'docker' group ('sudo usermod -aG docker $USER', then log in again)",
      );
    }
    throw new CliError(
      'unreachable',
      `the dvol plugin '${name}' is enabled but none of its sockets exists (${candidates.join(', ')})`,
      `restart it with 'docker plugin disable ${name} && docker plugin enable ${name}'`,
    );
  }
  if (!(await usable(UNMANAGED_SOCKET))) return UNMANAGED_SOCKET;
  if ('missing' in plugin) {
    throw new CliError(
      'unreachable',
      `the dvol plugin is not installed (no plugin '${name}' and no socket ${UNMANAGED_SOCKET})`,
      "install it with 'npm run setup' in a dvol checkout, or 'docker plugin install <dvol plugin image> --alias dvol'",
    );
  }
  throw new CliError(
    'unreachable',
    `cannot ask Docker for the dvol plugin: ${plugin.dockerError}`,
    "start Docker and check that you are in the 'docker' group, or set DVOL_SOCKET to the plugin's socket",
  );
}
