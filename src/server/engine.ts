// The Docker Engine API calls the server makes, as plain HTTP over the unix socket: node:http is loaded
// already, where dockerode took 0.5 to 0.8 s to load on the first reset after the plugin started.

import { request } from 'node:http';

/** A container as `GET /containers/json` lists it (the fields dvol reads). */
export interface ListedContainer {
  Id: string;
  Names: string[];
  State: string;
  Mounts: { Type: string; Name?: string; Driver?: string }[];
}

/** A call Docker answered with an error status; `message` is Docker's own text. */
export class EngineError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

/** A successful answer: 2xx, or 304 (the container already was in the state asked for). */
export interface EngineAnswer {
  status: number;
  /** The parsed JSON body; undefined when empty. */
  body: unknown;
}

/**
 * `method path` on the Engine API at `socket`. A 2xx or 304 status resolves; any other rejects with
 * EngineError; a socket error (ENOENT, ECONNREFUSED, EACCES) rejects as it is. No timeout: a stop
 * lasts as long as the container's own stop timeout.
 */
export function engineCall(socket: string, method: 'GET' | 'POST', path: string): Promise<EngineAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: socket, method, path }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        try {
          body = text === '' ? undefined : JSON.parse(text);
        } catch {
          body = undefined;
        }
        if ((status >= 200 && status < 300) || status === 304) return resolve({ status, body });
        const message = (body as { message?: unknown } | undefined)?.message;
        reject(new EngineError(status, typeof message === 'string' ? message : `HTTP ${status} ${text}`));
      });
    });
    req.on('error', reject);
    req.end();
  });
}
