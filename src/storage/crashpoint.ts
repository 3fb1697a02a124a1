// Named crash points for the crash tests: with DVOL_CRASH_AT=<name>, the process SIGKILLs itself there.

/**
 * Kills this process with SIGKILL (no cleanup, no flush: like a power cut for our files) when the
 * DVOL_CRASH_AT environment variable names this point. A no-op otherwise, which is every production run.
 */
export function crashPoint(name: string): void {
  if (process.env.DVOL_CRASH_AT === name) process.kill(process.pid, 'SIGKILL');
}
