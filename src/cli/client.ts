// The HTTP client of the plugin's /dvol API over a unix socket; error bodies become CliErrors here.

import http from 'node:http';
import { CliError, isCliErrorCode } from './errors.js';

/** Calls one route of the /dvol API (docs/api.md) and resolves to its JSON answer. */
export interface ApiClient {
  request<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T>;
  /** GETs an NDJSON route and yields each line parsed as it arrives; an `{"error"}` line throws. */
  lines(path: string): AsyncGenerator<Record<string, unknown>>;
}

interface ErrorBody {
  error?: { code?: string; message?: string; hint?: string };
}

/** Turns a failed answer into a CliError carrying the server's code, sentence and hint. */
function errorFrom(status: number, text: string, path: string): CliError {
  let body: ErrorBody = {};
  try {
    body = JSON.parse(text) as ErrorBody;
  } catch {
    // Not our API's error shape: fall through to a generic sentence.
  }
  const e = body.error;
  if (e?.message) {
    return new CliError(isCliErrorCode(e.code) ? e.code : 'internal', e.message, e.hint);
  }
  return new CliError(
    'internal',
    `the plugin answered HTTP ${status} to ${path} without an error message`,
    "check that the installed plugin and this CLI are the same version ('dvol version')",
  );
}

/** An unreachable socket (missing, refused, no permission) becomes exit status 5 with what to check. */
function unreachable(socketPath: string, err: NodeJS.ErrnoException): CliError {
  if (err.code === 'EACCES' || err.code === 'EPERM') {
    return new CliError(
      'unreachable',
      `permission denied on the dvol plugin socket ${socketPath}`,
      "add yourself to the 'docker' group ('sudo usermod -aG docker $USER', then log in again)",
      { cause: err },
    );
  }
  return new CliError(
    'unreachable',
    `cannot reach the dvol plugin at ${socketPath} (${err.code ?? err.message})`,
    "check that the plugin is enabled with 'docker plugin ls', or set DVOL_SOCKET to its socket",
    { cause: err },
  );
}

/** A client for the socket at `socketPath`; the path may be resolved lazily (socket discovery runs docker). */
export function makeClient(socketPath: () => Promise<string>): ApiClient {
  return {
    async request<T>(method: string, path: string, body?: unknown): Promise<T> {
      const sock = await socketPath();
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = http.request(
          {
            socketPath: sock,
            method,
            path,
            headers: payload ? { 'content-type': 'application/json' } : {},
          },
          (res) => {
            let data = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (data += chunk));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, text: data }));
            res.on('error', reject);
          },
        );
        req.on('error', (err: NodeJS.ErrnoException) => reject(unreachable(sock, err)));
        req.end(payload);
      });
      if (status < 200 || status >= 300) throw errorFrom(status, text, path);
      try {
        return (text ? JSON.parse(text) : {}) as T;
      } catch (err) {
        throw new CliError('internal', `the plugin sent invalid JSON for ${path}`, undefined, { cause: err });
      }
    },
    async *lines(path: string): AsyncGenerator<Record<string, unknown>> {
      const sock = await socketPath();
      const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
        const req = http.request({ socketPath: sock, method: 'GET', path }, resolve);
        req.on('error', (err: NodeJS.ErrnoException) => reject(unreachable(sock, err)));
        req.end();
      });
      res.setEncoding('utf8');
      const status = res.statusCode ?? 0;
      let buffered = '';
      try {
        for await (const chunk of res as AsyncIterable<string>) {
          buffered += chunk;
          if (status < 200 || status >= 300) continue;
          let nl: number;
          while ((nl = buffered.indexOf('\n')) >= 0) {
            const line = buffered.slice(0, nl);
            buffered = buffered.slice(nl + 1);
            if (line === '') continue;
            const parsed = JSON.parse(line) as Record<string, unknown>;
            if ('error' in parsed) throw errorFrom(500, line, path);
            yield parsed;
          }
        }
        if (status < 200 || status >= 300) throw errorFrom(status, buffered, path);
      } finally {
        // Stopping early (or failing) closes the connection, which stops the server's walk.
        res.destroy();
      }
    },
  };
}
