// HTTP requests over a unix socket with their latency: the fault tests time what Docker and the CLI
// would wait for, and never hang on an answer that does not come.
import { Agent, request } from 'node:http';

/** An answer, or why there was none, and how long it took. */
export interface Timed {
  status: number;
  text: string;
  ms: number;
  error?: string;
}

/** A keep-alive agent for one socket, as Docker's plugin client and the CLI keep theirs. */
export function socketAgent(maxSockets = 4): Agent {
  return new Agent({ keepAlive: true, maxSockets });
}

/**
 * One request; resolves (never rejects) once the answer has been read, the connection failed, or
 * `timeoutMs` passed. An answer that arrives before the body was fully sent counts as an answer.
 */
export function timedRequest(
  socketPath: string,
  method: string,
  path: string,
  body: Buffer | string = '',
  { agent, timeoutMs = 10_000 }: { agent?: Agent; timeoutMs?: number } = {},
): Promise<Timed> {
  const started = performance.now();
  const payload = typeof body === 'string' ? Buffer.from(body) : body;
  return new Promise((resolve) => {
    let done = false;
    const finish = (status: number, text: string, error?: string) => {
      if (done) return;
      done = true;
      resolve({ status, text, ms: performance.now() - started, ...(error ? { error } : {}) });
    };
    const req = request(
      {
        socketPath,
        method,
        path,
        agent,
        headers: { Accept: 'application/vnd.docker.plugins.v1.2+json', 'Content-Length': payload.length },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => finish(res.statusCode ?? 0, Buffer.concat(chunks).toString()));
        res.on('error', (err) => finish(res.statusCode ?? 0, Buffer.concat(chunks).toString(), err.message));
      },
    );
    req.on('error', (err) => finish(0, '', err.message));
    // A server that answers a huge body early and closes makes the rest of the write fail with
    // EPIPE, possibly after the answer was read: the answer is what counts.
    req.on('socket', (socket) => socket.on('error', () => undefined));
    req.setTimeout(timeoutMs, () => {
      finish(0, '', `no answer in ${timeoutMs} ms`);
      req.destroy();
    });
    req.end(payload);
  });
}

/** The p-th percentile (0..100) of `values`, nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}
