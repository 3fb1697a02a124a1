// The HTTP client of the plugin's /dvol API over a unix socket; error bodies become CliErrors here.

import http from 'node:http';
import type {
  Answer,
  DvolRoutes,
  DvolStreams,
  ErrorBody,
  ProgressLine,
  RouteInput,
  RouteKey,
  StreamKey,
} from '../api/routes.js';
import { versionHeaders } from './cli-version.js';
import { CliError, isCliErrorCode } from './errors.js';

/** A line of stream `K` after its head, an error line having been thrown. */
export type StreamLine<K extends StreamKey> =
  DvolStreams[K]['head'] | Exclude<DvolStreams[K]['line'], ErrorBody>;

/** The /dvol API (src/api/routes.ts), typed by its route table. */
export interface ApiClient {
  /** Calls one route and resolves to its JSON answer; a failed answer throws its CliError. */
  call<K extends RouteKey>(
    route: K,
    input?: RouteInput<K, DvolRoutes[K]>,
    /** For the transfers (ProgressQuery): asks for progress lines and hands each to this. */
    onProgress?: (line: string) => void,
  ): Promise<Answer<K>>;
  /** GETs an NDJSON route and yields its head, then each line as it arrives; an `{"error"}` line throws. */
  stream<K extends StreamKey>(route: K, input: RouteInput<K, DvolStreams[K]>): AsyncGenerator<StreamLine<K>>;
}

/**
 * The request path of a route: its `:param` segments filled (encoded: names are in the name
 * alphabets, encoding only guards the URL) and its query appended.
 */
export function routePath(
  route: string,
  input: { params?: object; query?: object } = {},
): { method: string; path: string } {
  const [method = 'GET', template = '/'] = route.split(' ');
  const params = new Map<string, unknown>(Object.entries(input.params ?? {}));
  const path = template
    .split('/')
    .map((part) => {
      if (!part.startsWith(':')) return part;
      const value = params.get(part.slice(1));
      if (typeof value !== 'string') throw new Error(`route ${route} needs its ${part} parameter`);
      return encodeURIComponent(value);
    })
    .join('/');
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(input.query ?? {})) {
    if (typeof value === 'string') query.set(key, value);
  }
  const qs = query.toString();
  return { method, path: qs ? `${path}?${qs}` : path };
}

/** A parsed error body, whose fields are checked before use: the other side may be another version. */
type LooseErrorBody = { error?: Partial<ErrorBody['error']> };

/** Turns a failed answer into a CliError carrying the server's code, sentence and hint. */
function errorFrom(status: number, text: string, path: string): CliError {
  let body: LooseErrorBody = {};
  try {
    body = JSON.parse(text) as LooseErrorBody;
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

/** The NDJSON lines of a transfer asked with progress=1: progress handed on, then its result. */
function progressLines<A>(path: string, onProgress: (line: string) => void) {
  let buffered = '';
  let result: { value: A } | undefined;
  let failure: CliError | undefined;
  return {
    add(chunk: string): void {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (line === '' || failure) continue;
        try {
          const parsed = JSON.parse(line) as ProgressLine<A>;
          if (Object.hasOwn(parsed, 'error')) failure = errorFrom(500, line, path);
          else if (Object.hasOwn(parsed, 'result')) result = { value: (parsed as { result: A }).result };
          else if (Object.hasOwn(parsed, 'progress'))
            onProgress(String((parsed as { progress: string }).progress));
        } catch {
          failure = new CliError('internal', `the plugin sent invalid JSON for ${path}`);
        }
      }
    },
    result(): A {
      if (failure) throw failure;
      if (!result) throw new CliError('internal', `the plugin's answer to ${path} ended before its result`);
      return result.value;
    },
  };
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
    async call<K extends RouteKey>(
      route: K,
      input?: RouteInput<K, DvolRoutes[K]>,
      onProgress?: (line: string) => void,
    ): Promise<Answer<K>> {
      const query = onProgress ? { ...(input?.query ?? {}), progress: '1' } : input?.query;
      const { method, path } = routePath(route, { ...input, query });
      const lines = onProgress ? progressLines<Answer<K>>(path, onProgress) : undefined;
      const body = input?.body;
      const sock = await socketPath();
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = http.request(
          {
            socketPath: sock,
            method,
            path,
            headers: { ...versionHeaders(), ...(payload ? { 'content-type': 'application/json' } : {}) },
          },
          (res) => {
            let data = '';
            res.setEncoding('utf8');
            const ok = (res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300;
            res.on('data', (chunk: string) => {
              if (lines && ok) lines.add(chunk);
              else data += chunk;
            });
            res.on('end', () => resolve({ status: res.statusCode ?? 0, text: data }));
            res.on('error', reject);
          },
        );
        req.on('error', (err: NodeJS.ErrnoException) => reject(unreachable(sock, err)));
        req.end(payload);
      });
      if (status < 200 || status >= 300) throw errorFrom(status, text, path);
      if (lines) return lines.result();
      try {
        // The answer's type is the route table's: the server's handlers are typed by the same table.
        return (text ? JSON.parse(text) : {}) as Answer<K>;
      } catch (err) {
        throw new CliError('internal', `the plugin sent invalid JSON for ${path}`, undefined, { cause: err });
      }
    },
    async *stream<K extends StreamKey>(
      route: K,
      input: RouteInput<K, DvolStreams[K]>,
    ): AsyncGenerator<StreamLine<K>> {
      const { path } = routePath(route, input);
      const sock = await socketPath();
      const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
        const req = http.request(
          { socketPath: sock, method: 'GET', path, headers: versionHeaders() },
          resolve,
        );
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
            const parsed = JSON.parse(line) as StreamLine<K> | ErrorBody;
            if (Object.hasOwn(parsed, 'error')) throw errorFrom(500, line, path);
            yield parsed as StreamLine<K>;
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
