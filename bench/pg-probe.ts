// Asks a Postgres server in a container for `SELECT 1` over its unix socket, reached from the host
// through /proc/PID/root: a probe that costs about a millisecond, where `docker exec psql` costs a
// hundred and more (so "until the server answers" measures the server, not the probe).

import { connect } from 'node:net';

import { containerPid } from './engine.js';

/** The startup packet of protocol 3.0 for user and database `postgres` (the image uses trust auth). */
function startupPacket(): Buffer {
  const params = Buffer.from('user\0postgres\0database\0postgres\0\0');
  const head = Buffer.alloc(8);
  head.writeInt32BE(8 + params.length, 0);
  head.writeInt32BE(196608, 4);
  return Buffer.concat([head, params]);
}

/** A simple-query message. */
function query(sql: string): Buffer {
  const text = Buffer.from(`${sql}\0`);
  const head = Buffer.alloc(5);
  head.write('Q', 0);
  head.writeInt32BE(4 + text.length, 1);
  return Buffer.concat([head, text]);
}

/**
 * Resolves true once the server at `socketPath` answered `SELECT 1` with a row, false when it refused
 * (not started yet, "the database system is starting up", no socket yet).
 */
export function answersQuery(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(socketPath);
    let buf = Buffer.alloc(0);
    let queried = false;
    const finish = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(5_000, () => finish(false));
    sock.on('error', () => finish(false));
    sock.on('connect', () => sock.write(startupPacket()));
    sock.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      // Messages: a type byte, then a length that counts itself.
      while (buf.length >= 5) {
        const type = String.fromCharCode(buf[0] ?? 0);
        const length = buf.readInt32BE(1);
        if (buf.length < 1 + length) return;
        buf = buf.subarray(1 + length);
        if (type === 'E') return finish(false);
        if (type === 'D') return finish(true);
        if (type === 'Z' && !queried) {
          queried = true;
          sock.write(query('SELECT 1'));
        }
      }
    });
  });
}

/** Polls every 5 ms until the Postgres server in `container` answers; rejects after `timeoutMs`. */
export async function waitUntilAnswering(container: string, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const pid = await containerPid(container);
  const socketPath = `/proc/${pid}/root/run/postgresql/.s.PGSQL.5432`;
  while (!(await answersQuery(socketPath))) {
    if (Date.now() > deadline) throw new Error(`postgres in ${container} did not answer in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
