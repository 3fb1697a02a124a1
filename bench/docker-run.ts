// Part of bench/postgres-reset.ts: `docker run --rm -v V:/d IMAGE true` with a dvol volume next to the
// same with a `local` volume, interleaved in one run: what dvol's Create/Get/Mount/Unmount/Path round
// trips add to a container's start and stop.

import { docker, dockerResult, runOk } from '../test/e2e/lib/exec.js';
import { busyboxImage } from '../test/e2e/lib/images.js';
import { uniqueName } from '../test/e2e/lib/names.js';
import { nowMs } from './engine.js';
import type { PluginBench } from './plugin-env.js';
import { medianOf, printTable, secs } from './timing.js';

const RUNS = Number(process.env.BENCH_RUN_RUNS ?? 11);

export async function dockerRunPart(b: PluginBench): Promise<void> {
  const image = await busyboxImage();
  const dvolVolume = uniqueName('benchrun');
  const localVolume = uniqueName('benchlocal');
  b.cleanup(() => dockerResult('volume', 'rm', '-f', localVolume));
  b.cleanup(() => dockerResult('volume', 'rm', '-f', dvolVolume));
  await docker('volume', 'create', '-d', 'dvol', dvolVolume);
  await docker('volume', 'create', '-d', 'local', localVolume);
  const timedRun = async (volume: string) => {
    const start = nowMs();
    await runOk('docker', ['run', '--rm', '--label', 'dvol-e2e', '-v', `${volume}:/d`, image, 'true']);
    return (nowMs() - start) / 1000;
  };
  // One untimed run each: the first start of an image pays for its layers.
  await timedRun(dvolVolume);
  await timedRun(localVolume);
  const times = { dvol: [] as number[], local: [] as number[] };
  for (let i = 0; i < RUNS; i++) {
    const order: ('dvol' | 'local')[] = i % 2 === 0 ? ['dvol', 'local'] : ['local', 'dvol'];
    for (const which of order) times[which].push(await timedRun(which === 'dvol' ? dvolVolume : localVolume));
  }
  const [dvol, local] = [medianOf(times.dvol), medianOf(times.local)];
  console.log(`\ndocker run --rm -v V:/d ${image} true, median of ${RUNS} interleaved runs\n`);
  printTable(
    ['volume driver', 'median', 'runs (s)', '× local'],
    [
      ['dvol', secs(dvol), times.dvol.map((s) => s.toFixed(3)).join(' '), (dvol / local).toFixed(2)],
      ['local', secs(local), times.local.map((s) => s.toFixed(3)).join(' '), '1.00'],
    ],
  );
}
