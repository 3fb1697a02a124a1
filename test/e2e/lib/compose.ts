// The compose commands the e2e tests run: Compose v2 (what users run today), found through
// DVOL_COMPOSE_V2, `docker compose`, or unpacked by build/compose-v2.sh; and Debian 12's v1
// `docker-compose` 1.29 when installed, for the test of what v1 users must write.
import { run, runOk } from './exec.js';

const REPO = new URL('../../../', import.meta.url).pathname;

/** Compose gives up on a daemon call after 60 s; a loaded CI machine can take longer. */
export const COMPOSE_OPTS = { timeout: 600_000, env: { ...process.env, COMPOSE_HTTP_TIMEOUT: '300' } };

/** A compose command: the program and the arguments that come before the subcommand's. */
export interface Compose {
  cmd: string;
  prefix: string[];
  version: string;
}

async function versionOf(cmd: string, prefix: string[]): Promise<string | undefined> {
  const r = await run(cmd, [...prefix, 'version', '--short']);
  return r.code === 0 ? r.stdout.trim().replace(/^v/, '') : undefined;
}

/** Compose v2; unpacks it from Debian 13's package (cached) when the host has none. */
export async function composeV2(): Promise<Compose> {
  const candidates: [string, string[]][] = [];
  if (process.env.DVOL_COMPOSE_V2) candidates.push([process.env.DVOL_COMPOSE_V2, []]);
  candidates.push(['docker', ['compose']]);
  for (const [cmd, prefix] of candidates) {
    const version = await versionOf(cmd, prefix);
    if (version?.startsWith('2.')) return { cmd, prefix, version };
  }
  const cmd = await runOk('bash', ['build/compose-v2.sh'], { cwd: REPO, timeout: 300_000 });
  const version = await versionOf(cmd, []);
  if (!version?.startsWith('2.')) throw new Error(`${cmd} is not compose v2 (version: ${version})`);
  return { cmd, prefix: [], version };
}

/** Debian 12's `docker-compose` when it is v1, else undefined. */
export async function composeV1(): Promise<Compose | undefined> {
  const version = await versionOf('docker-compose', []);
  return version?.startsWith('1.') ? { cmd: 'docker-compose', prefix: [], version } : undefined;
}
