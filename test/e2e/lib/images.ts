// Test images built locally (nothing is pulled): a busybox image from Debian's busybox-static, and
// a small Node app on the plugin's base image.
import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, copyFile, symlink, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerResult, runOk } from './exec.js';

export const BUSYBOX = 'dvol-test/busybox:latest';
export const NODE_APP = 'dvol-test/node-app:latest';
const BUSYBOX_BINARY = '/bin/busybox';

async function imageExists(ref: string): Promise<boolean> {
  return (await dockerResult('image', 'inspect', ref)).code === 0;
}

/** Pipes `tar -C dir -c .` into `docker import` (with Dockerfile-style `changes`) as `ref`. */
function importDir(dir: string, ref: string, changes: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const tar = spawn('tar', ['-C', dir, '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const args = ['import', ...changes.flatMap((c) => ['--change', c]), '-', ref];
    const imp = spawn('docker', args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    imp.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    tar.stdout.pipe(imp.stdin);
    imp.on('error', reject);
    imp.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`docker import ${ref} failed: ${stderr.trim()}`)),
    );
  });
}

/**
 * Makes `dvol-test/busybox` once: /bin/busybox (static, from the busybox-static package) with a
 * symlink per applet, /tmp, and a root user. Idempotent.
 */
export async function busyboxImage(): Promise<string> {
  if (await imageExists(BUSYBOX)) return BUSYBOX;
  const applets = (await runOk(BUSYBOX_BINARY, ['--list'])).split('\n').filter((a) => a && a !== 'busybox');
  const dir = await mkdtemp(join(tmpdir(), 'dvol-busybox-'));
  try {
    for (const sub of ['bin', 'tmp', 'etc', 'root']) await mkdir(join(dir, sub));
    await copyFile(BUSYBOX_BINARY, join(dir, 'bin/busybox'));
    for (const applet of applets) await symlink('busybox', join(dir, 'bin', applet));
    await writeFile(join(dir, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
    await writeFile(join(dir, 'etc/group'), 'root:x:0:\n');
    await importDir(dir, BUSYBOX, ['ENV PATH=/bin', 'CMD ["sh"]']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return BUSYBOX;
}

/** The fixture app: counts its starts in /data/starts and serves nothing; stays up until stopped. */
const NODE_APP_SOURCE = `const fs = require('node:fs');
fs.mkdirSync('/data', { recursive: true });
fs.appendFileSync('/data/starts', new Date().toISOString() + '\\n');
process.on('SIGTERM', () => process.exit(0));
setInterval(() => fs.writeFileSync('/data/heartbeat', String(Date.now())), 1000);
`;

/**
 * Makes `dvol-test/node-app` once, on the base image the plugin was built from (it has Node):
 * a long-running process that appends a line to /data/starts at each start. Idempotent.
 */
export async function nodeAppImage(base = 'dvol-base:trixie'): Promise<string> {
  if (await imageExists(NODE_APP)) return NODE_APP;
  const dir = await mkdtemp(join(tmpdir(), 'dvol-node-app-'));
  try {
    await writeFile(join(dir, 'app.cjs'), NODE_APP_SOURCE);
    await writeFile(
      join(dir, 'Dockerfile'),
      `FROM ${base}\nCOPY app.cjs /app/app.cjs\nCMD ["node", "/app/app.cjs"]\n`,
    );
    await runOk('docker', ['build', '--quiet', '-t', NODE_APP, dir]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return NODE_APP;
}
