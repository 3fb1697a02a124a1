// A Postgres server image built locally from Debian packages (test/e2e/fixtures/postgres), and psql
// run inside its container, for the e2e test and the benchmark of a database on a dvol volume.
import { runOk } from './exec.js';
import { api } from './plugin.js';
import { waitFor } from './wait.js';

export const POSTGRES_IMAGE = 'dvol-test/postgres:latest';
/** Where the image expects its volume; PGDATA is the `pgdata` directory inside it. */
export const POSTGRES_VOLUME_PATH = '/var/lib/postgresql/data';
const FIXTURE = new URL('../fixtures/postgres/', import.meta.url).pathname;

/**
 * Builds `dvol-test/postgres` on the local base image (apt-get from the Debian mirror, nothing is
 * pulled from a registry). Docker's layer cache makes later calls quick.
 */
export async function postgresImage(base = process.env.DVOL_BASE || 'dvol-base:trixie'): Promise<string> {
  await runOk('docker', ['build', '--quiet', '--build-arg', `BASE=${base}`, '-t', POSTGRES_IMAGE, FIXTURE], {
    timeout: 900_000,
  });
  return POSTGRES_IMAGE;
}

/** Runs `sql` with psql as the postgres user in `container`; stops at the first error; trimmed output. */
export function psql(container: string, sql: string, timeout = 180_000): Promise<string> {
  return runOk(
    'docker',
    ['exec', '-u', 'postgres', container, 'psql', '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-c', sql],
    { timeout },
  );
}

/** Waits until the server in `container` answers a query (after a start, restart or crash recovery). */
export async function waitForPostgres(container: string, timeoutMs = 120_000): Promise<void> {
  await waitFor(
    `postgres in ${container} to accept queries`,
    async () => (await psql(container, 'SELECT 1', 10_000)) === '1',
    { timeoutMs, intervalMs: 300 },
  );
}

/** A fingerprint of a table's rows, cheap at any size: their count and the sum of their hashes. */
export function tableFingerprint(container: string, table: string, timeout?: number): Promise<string> {
  return psql(container, `SELECT count(*) || ' ' || sum(hashtext(t::text)::bigint) FROM ${table} t`, timeout);
}

/**
 * The snapshot driver of a volume, from the plugin's API (`docker volume inspect` of a volume made by
 * `dvol init` makes Docker probe every driver it knows first, which is slow when one is gone).
 */
export async function volumeDriver(volume: string): Promise<string | undefined> {
  const answer = await api('GET', `/dvol/volumes/${volume}`);
  return (answer.body as { volume?: { driver?: string } }).volume?.driver;
}
