// The managed plugin's process on the host, found without Docker's help: containerd runs each
// plugin as a task in its `plugins.moby` namespace under a runc shim whose command line names that
// namespace and the plugin's id (`containerd-shim-runc-v2 -namespace plugins.moby -id ID ...`); the
// plugin's process is that shim's child. Reading /proc needs neither ctr nor the address of the
// containerd that dockerd started, and works the same under systemd or a hand-started dockerd.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { waitFor } from './wait.js';

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // the process is gone
  }
}

/** Parent pid from /proc/PID/stat (the field after the parenthesised command name). */
function parentOf(pid: number): number | undefined {
  const stat = read(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

/** The pid of the plugin with `id` (its container's init process), or undefined while none runs. */
export function pluginPid(id: string): number | undefined {
  const pids = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number);
  const shims = new Set<number>();
  for (const pid of pids) {
    const argv = read(`/proc/${pid}/cmdline`)?.split('\0') ?? [];
    const at = (flag: string) => argv[argv.indexOf(flag) + 1];
    if (argv[0]?.includes('containerd-shim') && at('-namespace') === 'plugins.moby' && at('-id') === id) {
      shims.add(pid);
    }
  }
  if (shims.size === 0) return undefined;
  return pids.find(
    (pid) => shims.has(parentOf(pid) ?? -1) && !read(`/proc/${pid}/cmdline`)?.includes('containerd-shim'),
  );
}

/** SIGKILLs the plugin's process; resolves with the pid it had. Throws when it is not running. */
export function killPlugin(id: string): number {
  const pid = pluginPid(id);
  if (pid === undefined)
    throw new Error(`plugin ${id} has no running process in containerd's plugins.moby namespace`);
  process.kill(pid, 'SIGKILL');
  return pid;
}

/**
 * Waits until Docker has started the plugin again (a new process), `answers()` resolves true, and
 * Docker has finished enabling it. The last matters: dockerd dials the new plugin's socket 0.5 s after
 * starting it, then every 3 s, and saves the plugin's config.json once a dial succeeds; a plugin killed
 * before that is never restarted (dockerd gives up after 3 retries and leaves it down).
 */
export async function waitForRestart(
  id: string,
  oldPid: number,
  answers: () => Promise<boolean>,
): Promise<number> {
  let seen: { pid: number; at: number } | undefined;
  return waitFor(
    `plugin ${id} to be restarted by Docker`,
    async () => {
      const pid = pluginPid(id);
      if (pid === undefined || pid === oldPid) return undefined;
      if (seen?.pid !== pid) seen = { pid, at: Date.now() };
      if (!enabledSince(id, seen.at - 100)) return undefined;
      return (await answers()) ? pid : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 50 },
  );
}

/** Whether dockerd saved the plugin's config (the end of its enabling) after `ms`; no file: yes. */
function enabledSince(id: string, ms: number): boolean {
  try {
    return statSync(`/var/lib/docker/plugins/${id}/config.json`).mtimeMs >= ms;
  } catch {
    return true;
  }
}
