// Benchmark through the installed plugin, with its state directory on a loopback btrfs for the run
// (always put back): in parts, each fitting a 15-minute hold of the Docker engine (BENCH_PARTS, comma-
// separated, default all):
// - pg: a Postgres server with ≥ 1 GiB, `dvol reset --hard HEAD` until the server answers next to a
//   raw snapshot swap with the same stop and start, step by step; and a dump restore (pg-reset.ts);
// - cli: commit, checkout -b, the first reset after a commit and after a change, through the CLI at
//   10 MiB, 2 GiB and 10 GiB (plugin-cli.ts);
// - run: `docker run --rm -v V:/d IMAGE true` with a dvol volume and with a local one (docker-run.ts).
// Run as root after `npm run build`: `BENCH_PARTS=pg npx tsx bench/postgres-reset.ts`.

import os from 'node:os';

import { cliPart, cliSizes } from './plugin-cli.js';
import { dockerRunPart } from './docker-run.js';
import { pluginBench } from './plugin-env.js';
import { postgresPart } from './pg-reset.js';

const GiB = 1024 ** 3;
const DEADLINE_S = Number(process.env.BENCH_DEADLINE_S ?? 3600);
const PARTS = { pg: postgresPart, cli: cliPart, run: dockerRunPart };
type Part = keyof typeof PARTS;

async function main(): Promise<void> {
  const parts = (process.env.BENCH_PARTS ?? 'pg,cli,run').split(',') as Part[];
  const unknown = parts.filter((p) => !Object.hasOwn(PARTS, p));
  if (unknown.length > 0)
    throw new Error(`unknown part '${unknown.join("', '")}': use ${Object.keys(PARTS).join(', ')}`);
  // The cli part's volumes twice over (data and what the commits keep), plus room for Postgres.
  const cli = parts.includes('cli') ? cliSizes().reduce((a, b) => a + b, 0) * 2 : 0;
  const bench = await pluginBench(Math.ceil((cli + 8 * GiB) / GiB) * GiB);
  const started = Date.now();
  // Past BENCH_DEADLINE_S the state directory is put back and the run ends: a hung run must not
  // keep the plugin on a loopback filesystem (or the engine to itself).
  const deadline = setTimeout(() => {
    console.error(`deadline of ${DEADLINE_S} s reached: cleaning up`);
    void bench.close().finally(() => process.exit(1));
  }, DEADLINE_S * 1000);
  try {
    for (const part of parts) {
      console.log(`\n== ${part} (load average ${os.loadavg()[0]?.toFixed(1)})`);
      await PARTS[part](bench);
    }
  } finally {
    clearTimeout(deadline);
    await bench.close();
  }
  const load = os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  console.log(
    `\n${os.cpus().length} CPUs, load average ${load} at the end, kernel ${os.release()}; total ${Math.round((Date.now() - started) / 1000)} s`,
  );
}

await main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
