// A real registry for the unit tests: Debian's docker-registry on 127.0.0.1 and a free port, storage
// in a tap test dir, optionally behind TLS with a test CA and htpasswd auth; stopped at teardown.
// (The same approach as test/e2e/lib/registry.ts, which serves the e2e tests.)

import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { Test } from 'tap';
import { type TokenServer, startTokenServer } from './tokenserver.testkit.js';
import { freePort } from '../../net.testkit.js';

export { freePort };

/** Where daemons started by tests leave pid files, so .ci/run can stop them after a crash. */
const RUNDIR = process.env.DVOL_E2E_RUNDIR ?? '/run/dvol-e2e';

export interface TestRegistry {
  /** `127.0.0.1:PORT`. */
  host: string;
  /** The test directory it lives in, free for more files (tap gives one testdir per test). */
  dir: string;
  /** The registry's storage root (to damage a blob in place). */
  dataDir: string;
  /** A certs.d-style directory holding `<host>/ca.crt` (TLS registries only). */
  certsDir?: string;
  /** The token service, for a registry started with `tokenUsers`. */
  tokens?: TokenServer;
}

export interface TestRegistryOptions {
  tls?: boolean;
  /** htpasswd users (bcrypt): the registry then wants Basic auth. */
  users?: { username: string; password: string }[];
  /** Users of a token service: the registry then wants Bearer tokens from it. */
  tokenUsers?: { username: string; password: string }[];
}

/** A test CA and a server certificate for 127.0.0.1 and localhost signed by it, made with openssl. */
function makeCerts(dir: string): { ca: string; cert: string; key: string } {
  const file = (name: string) => join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const run = (args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  run([
    'req',
    '-x509',
    ...ec,
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.crt'),
    '-days',
    '2',
    '-subj',
    '/CN=dvol test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  run(['req', ...ec, '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', '/CN=127.0.0.1']);
  writeFileSync(file('ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  run([
    'x509',
    '-req',
    '-in',
    file('server.csr'),
    '-CA',
    file('ca.crt'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-out',
    file('server.crt'),
    '-days',
    '2',
    '-extfile',
    file('ext.cnf'),
  ]);
  return { ca: file('ca.crt'), cert: file('server.crt'), key: file('server.key') };
}

/** An htpasswd line with a bcrypt hash, from libxcrypt's crypt(3) through perl (no apache2-utils needed). */
function htpasswdLine(username: string, password: string): string {
  const alphabet = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  // The 22nd salt character carries only 2 bits: keep it one whose low bits are zero.
  const salt = [...randomBytes(21)].map((b) => alphabet[b % 64]).join('') + '.';
  const hash = execFileSync('perl', ['-e', 'print crypt($ARGV[0], $ARGV[1])', password, `$2y$05$${salt}`], {
    encoding: 'utf8',
  });
  if (!hash.startsWith('$2y$05$')) throw new Error(`this system's crypt(3) has no bcrypt (got ${hash})`);
  return `${username}:${hash}\n`;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => resolve(socket.end() && true));
    socket.once('error', () => resolve(false));
  });
}

/** Starts a registry; resolves once it accepts connections. */
export async function startTestRegistry(t: Test, opts: TestRegistryOptions = {}): Promise<TestRegistry> {
  const dir = t.testdir({});
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const dataDir = join(dir, 'data');
  const lines = [
    'version: 0.1',
    'log: { level: error, accesslog: { disabled: true } }',
    `storage: { filesystem: { rootdirectory: "${dataDir}" }, delete: { enabled: true } }`,
  ];
  let certsDir: string | undefined;
  if (opts.tls) {
    const { ca, cert, key } = makeCerts(dir);
    lines.push(`http: { addr: "${host}", tls: { certificate: "${cert}", key: "${key}" } }`);
    certsDir = join(dir, 'certs.d');
    mkdirSync(join(certsDir, host), { recursive: true });
    writeFileSync(join(certsDir, host, 'ca.crt'), readFileSync(ca));
  } else {
    lines.push(`http: { addr: "${host}" }`);
  }
  if (opts.users) {
    const htpasswd = join(dir, 'htpasswd');
    writeFileSync(htpasswd, opts.users.map((u) => htpasswdLine(u.username, u.password)).join(''));
    lines.push(`auth: { htpasswd: { realm: dvol-test, path: "${htpasswd}" } }`);
  }
  let tokens: TokenServer | undefined;
  if (opts.tokenUsers) {
    tokens = await startTokenServer(t, dir, opts.tokenUsers);
    const { realm, service, issuer, certPath } = tokens;
    lines.push(
      `auth: { token: { realm: "${realm}", service: ${service}, issuer: ${issuer}, rootcertbundle: "${certPath}" } }`,
    );
  }
  const config = join(dir, 'config.yml');
  writeFileSync(config, lines.join('\n') + '\n');
  // Its log (every 404 is an error line) goes to a file, shown only when it fails to start.
  const log = openSync(join(dir, 'registry.log'), 'w');
  const registry = spawn('docker-registry', ['serve', config], { stdio: ['ignore', log, log] });
  closeSync(log);
  await new Promise<void>((resolve, reject) => {
    registry.once('spawn', resolve);
    registry.once('error', (err) =>
      reject(new Error(`docker-registry could not start (apt-get install docker-registry): ${err.message}`)),
    );
  });
  let pidfile: string | undefined;
  try {
    mkdirSync(RUNDIR, { recursive: true });
    pidfile = join(RUNDIR, `registry-${registry.pid}.pid`);
    writeFileSync(pidfile, `${registry.pid}\n`);
  } catch {
    pidfile = undefined; // not root: the teardown below is the only cleanup
  }
  t.teardown(() => {
    registry.kill('SIGTERM');
    if (pidfile) rmSync(pidfile, { force: true });
  });
  for (let i = 0; !(await portOpen(port)); i++) {
    if (i > 300 || registry.exitCode !== null) {
      const tail = readFileSync(join(dir, 'registry.log'), 'utf8').slice(-2000);
      throw new Error(`the registry on ${host} did not start:\n${tail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { host, dir, dataDir, certsDir, tokens };
}

/** Flips the first byte of a blob in the registry's own storage, keeping its size. */
export function corruptRegistryBlob(registry: TestRegistry, digest: string): void {
  const hex = digest.slice('sha256:'.length);
  const path = join(
    registry.dataDir,
    'docker',
    'registry',
    'v2',
    'blobs',
    'sha256',
    hex.slice(0, 2),
    hex,
    'data',
  );
  const data = readFileSync(path);
  data[0] = (data[0] ?? 0) ^ 0xff;
  writeFileSync(path, data);
}
