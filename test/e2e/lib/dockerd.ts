// Stops, kills and restarts the Docker engine for the tests that check what survives it. Finds
// dockerd through its pid file (dockerd writes /var/run/docker.pid itself; DVOL_DOCKERD_PIDFILE
// overrides it) and starts it again exactly as it was started (argv, environment, working directory,
// log file), so a dockerd started by hand, by .ci/run or by systemd can all be restarted.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { run, runOk } from './exec.js';
import { waitFor } from './wait.js';

/** dockerd's own pid file (its `--pidfile` default). */
const DOCKERD_PIDFILE = '/var/run/docker.pid';
const PIDFILE = process.env.DVOL_DOCKERD_PIDFILE || DOCKERD_PIDFILE;
const LOG = process.env.DVOL_DOCKERD_LOG ?? '/tmp/dockerd.log';

/** Whether `pid` runs: a zombie (killed, not yet reaped by an init that may never reap) does not. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Where dockerd's own containerd leaves its pid (under dockerd's default --exec-root). */
const CONTAINERD_PIDFILE = '/var/run/docker/containerd/containerd.pid';

/**
 * After a SIGKILL, dockerd's containerd dies too (it runs with a parent-death signal), but its pid
 * file stays; while that process lingers as a zombie, a new dockerd takes it for a running
 * containerd, cannot connect, and gives up. Waits for it to go and removes a stale pid file.
 */
async function forgetDeadContainerd(): Promise<void> {
  const pid = pidFromFile(CONTAINERD_PIDFILE);
  if (pid !== undefined) {
    await waitFor(`dockerd's containerd (pid ${pid}) to exit`, async () => !alive(pid), {
      timeoutMs: 30_000,
    });
  }
  const recorded = Number(
    existsSync(CONTAINERD_PIDFILE) ? readFileSync(CONTAINERD_PIDFILE, 'utf8').trim() : 0,
  );
  if (recorded > 0 && !alive(recorded)) rmSync(CONTAINERD_PIDFILE, { force: true });
}

function pidFromFile(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 && alive(pid) ? pid : undefined;
}

/** The running dockerd's pid, from the pid file; undefined when none runs. */
export function dockerdPid(): number | undefined {
  return pidFromFile(PIDFILE) ?? (PIDFILE === DOCKERD_PIDFILE ? undefined : pidFromFile(DOCKERD_PIDFILE));
}

/** How a process was started, read from /proc before it goes away. */
export interface Launch {
  argv: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** The file its stdout went to, when it was a file (a hand-started `dockerd > log`). */
  log: string;
}

function nulList(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\0')
    .filter((s) => s !== '');
}

/** How the running dockerd was started, to start it again even after a failed restart. */
export function dockerdLaunch(): Launch {
  const pid = dockerdPid();
  if (pid === undefined) throw new Error(`no live dockerd pid in ${PIDFILE}`);
  return launchOf(pid);
}

/** Starts dockerd as `launch` says when it does not answer (a teardown after a failed restart). */
export async function ensureDockerd(launch: Launch): Promise<void> {
  if ((await run('docker', ['info'], { timeout: 10_000 })).code === 0) return;
  if (dockerdPid() === undefined) relaunch(launch);
  await waitForDockerd();
}

function launchOf(pid: number): Launch {
  const env: NodeJS.ProcessEnv = {};
  for (const entry of nulList(`/proc/${pid}/environ`)) {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  let log = LOG;
  try {
    const out = readlinkSync(`/proc/${pid}/fd/1`);
    if (out.startsWith('/') && !out.startsWith('/dev/')) log = out.replace(/ \(deleted\)$/, '');
  } catch {
    // No stdout to follow: keep the default log.
  }
  return { argv: nulList(`/proc/${pid}/cmdline`), env, cwd: readlinkSync(`/proc/${pid}/cwd`), log };
}

/** Waits until `docker info` answers. */
export async function waitForDockerd(timeoutMs = 90_000): Promise<void> {
  await waitFor(
    'dockerd to answer',
    async () => (await run('docker', ['info'], { timeout: 10_000 })).code === 0,
    {
      timeoutMs,
      intervalMs: 500,
    },
  );
}

async function systemdManaged(): Promise<boolean> {
  return (await run('systemctl', ['is-active', '--quiet', 'docker'])).code === 0;
}

/** flock(1) hands its descriptor down as 3 or so; node's own descriptors are close-on-exec. */
const CLOSE_FDS_AND_EXEC = 'exec 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-; exec "$@"';

/** Starts dockerd again as `launch` says, detached so it outlives this test process. */
function relaunch(launch: Launch): number {
  const log = openSync(launch.log, 'a');
  // Through sh, to close every inherited descriptor above stderr first: a test run under
  // `flock /run/dvol-engine.lock` passes the lock's descriptor down, and a dockerd holding it would
  // keep the engine lock taken for as long as it runs.
  const child = spawn('sh', ['-c', CLOSE_FDS_AND_EXEC, 'sh', ...launch.argv], {
    detached: true,
    cwd: launch.cwd,
    env: launch.env,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  if (child.pid === undefined)
    throw new Error(`dockerd could not be started again: ${launch.argv.join(' ')}`);
  child.unref();
  // dockerd writes its own pid file; an override file (.ci/run's) is ours to keep current.
  if (PIDFILE !== DOCKERD_PIDFILE) writeFileSync(PIDFILE, `${child.pid}\n`);
  return child.pid;
}

/**
 * Sends `signal` to dockerd (SIGTERM: a clean stop, containers stop unless live-restore keeps them;
 * SIGKILL: a crash) and starts it again the way it was started, then waits until it answers.
 * Throws, saying how to make it possible, when dockerd runs neither with a pid file nor under systemd.
 */
export async function restartDockerd(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
  // systemd restarts its own dockerd: go through it, or the two would race.
  if (await systemdManaged()) {
    if (signal === 'SIGTERM') {
      await runOk('systemctl', ['restart', 'docker'], { timeout: 180_000 });
    } else {
      await runOk('systemctl', ['kill', '--signal=SIGKILL', '--kill-whom=main', 'docker']);
      await runOk('systemctl', ['restart', 'docker'], { timeout: 180_000 });
    }
  } else {
    const pid = dockerdPid();
    if (pid === undefined) {
      throw new Error(
        `cannot restart dockerd: no live dockerd pid in ${PIDFILE} and it is not run by systemd; ` +
          'start dockerd so that it writes its pid file (the default /var/run/docker.pid), or set DVOL_DOCKERD_PIDFILE',
      );
    }
    const launch = launchOf(pid);
    process.kill(pid, signal);
    await waitFor(`dockerd (pid ${pid}) to exit`, async () => !alive(pid), { timeoutMs: 90_000 });
    if (signal === 'SIGKILL') await forgetDeadContainerd();
    relaunch(launch);
  }
  await waitForDockerd();
}

/** The daemon configuration file dockerd reads (`--config-file`, default /etc/docker/daemon.json). */
export function daemonConfigFile(): string {
  const pid = dockerdPid();
  const argv = pid === undefined ? [] : nulList(`/proc/${pid}/cmdline`);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--config-file') return argv[i + 1] ?? '/etc/docker/daemon.json';
    if (arg.startsWith('--config-file=')) return arg.slice('--config-file='.length);
  }
  return '/etc/docker/daemon.json';
}

/** The flags dockerd runs with (a daemon.json key also given as a flag makes dockerd refuse to start). */
export function dockerdArgs(): string[] {
  const pid = dockerdPid();
  return pid === undefined ? [] : nulList(`/proc/${pid}/cmdline`).slice(1);
}

/** Asks dockerd to reload daemon.json (SIGHUP): live-restore is one of the reloadable settings. */
export async function reloadDockerd(): Promise<void> {
  const pid = dockerdPid();
  if (pid === undefined) throw new Error(`cannot reload dockerd: no live dockerd pid in ${PIDFILE}`);
  process.kill(pid, 'SIGHUP');
  await waitForDockerd();
}
