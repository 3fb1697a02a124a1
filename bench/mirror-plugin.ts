// bench/mirror.ts through the installed plugin: a dvol volume held by a container, mirrored by the
// plugin (its shared watch, its Mirrors) into a redis-server on the host's loopback, files written
// into the volume's mount point, and the events stream read alongside over the plugin's socket.
// Needs the engine (take /run/dvol-engine.lock) and the plugin installed from this tree.
//   npx tsx bench/mirror-plugin.ts [FILES]
import { request } from 'node:http';
import { startRedis } from '../src/storage/mirror/redis.testkit.js';
import { docker, dockerResult } from '../test/e2e/lib/exec.js';
import { busyboxImage } from '../test/e2e/lib/images.js';
import { api, pluginId, pluginSocket, waitForPlugin } from '../test/e2e/lib/plugin.js';
import { lagBench, lagRow, measureLags } from './mirror-lag.js';

const FILES = Number(process.argv[2] ?? 5000);
const cleanups: (() => Promise<unknown>)[] = [];

/** Counts the file events of the volume's NDJSON stream until stopped. */
async function countEvents(volume: string): Promise<{ count(): number; stop(): void }> {
  let n = 0;
  const socketPath = await pluginSocket();
  const req = request({ socketPath, path: `/dvol/volumes/${volume}/events` });
  await new Promise<void>((resolve, reject) => {
    req.on('response', (res) => {
      let buffered = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffered += chunk;
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) {
          if (line.includes('"watching"')) resolve();
          else if (line.includes('"created"') || line.includes('"modified"')) n++;
        }
      });
    });
    req.on('error', reject);
    req.end();
  });
  return { count: () => n, stop: () => req.destroy() };
}

async function run(count: number, perSecond: number, label: string): Promise<string[]> {
  const redis = await startRedis({ teardown: (fn) => void cleanups.push(fn) });
  const volume = `bench-mirror-${process.pid}-${count}`;
  await docker('volume', 'create', '-d', 'dvol', volume);
  cleanups.push(() => dockerResult('volume', 'rm', '-f', volume));
  const ctr = `${volume}-holder`;
  cleanups.push(() => dockerResult('rm', '-f', ctr));
  await docker('run', '-d', '--name', ctr, '-v', `${volume}:/data`, await busyboxImage(), 'sleep', '3600');
  const added = await api('POST', `/dvol/volumes/${volume}/mirrors`, { url: redis.url, prefix: 'b:' });
  const id = (added.body as { mirror: { id: string } }).mirror.id;
  cleanups.push(() => api('DELETE', `/dvol/mirrors/${id}`));
  const events = await countEvents(volume);
  // The container's view of the volume is the plugin's bind mount, propagated to the host.
  const root = `/var/lib/docker/plugins/${await pluginId()}/propagated-mount/${volume}`;
  const measured = await measureLags(redis, root, count, perSecond).catch(async (err: unknown) => {
    const keys = await redis.cli('dbsize');
    const files = (await docker('exec', ctr, 'sh', '-c', 'ls /data | wc -l')).trim();
    console.error(
      `${String(err)}: ${files} files, ${keys} keys`,
      JSON.stringify((await api('GET', '/dvol/mirrors')).body),
    );
    throw err;
  });
  events.stop();
  return lagRow(label, count, events.count(), measured);
}

await waitForPlugin();
await lagBench(FILES, run, 'events/s (stream)', cleanups);
