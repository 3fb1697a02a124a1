// Runs external commands for the e2e tests (argv arrays, no shell) and the docker CLI on top of it.
import { execFile } from 'node:child_process';

/** What a finished command left: never thrown for a non-zero exit, so tests can assert on failures. */
export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Written to the command's stdin. */
  input?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Milliseconds; the default suits a docker command that starts or stops a container. */
  timeout?: number;
}

/** Runs `cmd args...` to completion and resolves with its exit code and output. */
export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<Result> {
  return new Promise((resolve) => {
    const child = execFile(
      cmd,
      args,
      { cwd: opts.cwd, env: opts.env, timeout: opts.timeout ?? 180_000, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        const killed = err?.killed ? `\n(killed after ${opts.timeout ?? 180_000} ms)` : '';
        resolve({ code, stdout, stderr: stderr + killed });
      },
    );
    // A command that exits without reading its stdin (lsattr, userdel) closes the pipe first: the
    // EPIPE that follows says nothing about the command, whose exit status is what counts.
    child.stdin?.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
    });
    child.stdin?.end(opts.input ?? '');
  });
}

/** Like run, but rejects with the command and its stderr unless it exits 0; resolves with trimmed stdout. */
export async function runOk(cmd: string, args: string[], opts: RunOptions = {}): Promise<string> {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) {
    throw new Error(
      `'${[cmd, ...args].join(' ')}' exited with ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`,
    );
  }
  return r.stdout.trim();
}

/** `docker args...`; rejects on failure, resolves with trimmed stdout. */
export function docker(...args: string[]): Promise<string> {
  return runOk('docker', args);
}

/** `docker args...` that may fail: resolves with the exit code and output. */
export function dockerResult(...args: string[]): Promise<Result> {
  return run('docker', args);
}
