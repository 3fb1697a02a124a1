// Restarts the Docker engine for the e2e tests that check what survives a dockerd restart.
// Works with a dockerd started by hand or by .ci/run (a pid file, DVOL_DOCKERD_PIDFILE, default
// /tmp/dockerd.pid) and with one run by systemd.
import { spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { run, runOk } from './exec.js';
import { waitFor } from './wait.js';

const PIDFILE = process.env.DVOL_DOCKERD_PIDFILE ?? '/tmp/dockerd.pid';
const LOG = process.env.DVOL_DOCKERD_LOG ?? '/tmp/dockerd.log';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function pidFromFile(): number | undefined {
  if (!existsSync(PIDFILE)) return undefined;
  const pid = Number(readFileSync(PIDFILE, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 && alive(pid) ? pid : undefined;
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

/**
 * Stops dockerd cleanly (SIGTERM: containers stop, plugins get SIGTERM) and starts it again the way
 * it was started, then waits until it answers. Throws, saying how to make it possible, when dockerd
 * was started neither through the pid file nor by systemd.
 */
export async function restartDockerd(): Promise<void> {
  const pid = pidFromFile();
  if (pid !== undefined) {
    process.kill(pid, 'SIGTERM');
    await waitFor(`dockerd (pid ${pid}) to exit`, async () => !alive(pid), { timeoutMs: 90_000 });
    const log = openSync(LOG, 'a');
    // Detached in its own session so it outlives this test process, like the dockerd it replaces.
    const child = spawn('dockerd', [], { detached: true, stdio: ['ignore', log, log] });
    closeSync(log);
    if (child.pid === undefined) throw new Error('dockerd could not be started again');
    child.unref();
    writeFileSync(PIDFILE, `${child.pid}\n`);
  } else if ((await run('systemctl', ['is-active', '--quiet', 'docker'])).code === 0) {
    await runOk('systemctl', ['restart', 'docker'], { timeout: 180_000 });
  } else {
    throw new Error(
      `cannot restart dockerd: it was not started by systemd nor with its pid in ${PIDFILE}; ` +
        'start it as `dockerd > /tmp/dockerd.log 2>&1 & echo $! > /tmp/dockerd.pid` or set DVOL_DOCKERD_PIDFILE',
    );
  }
  await waitForDockerd();
}
