// A volume with data and history, and the check that both survived (plugin restarts, upgrades,
// dockerd restarts, reinstalls from a registry).
import type { Test } from 'tap';
import { api, fsck } from './plugin.js';
import { createVolume, runOnce } from './resources.js';
import { volumeStatus } from './volumes.js';

export interface Seeded {
  volume: string;
  commit: string;
}

/** A dvol volume with one commit ('seeded') of /data/committed and an uncommitted /data/working. */
export async function seedVolume(t: Test, image: string): Promise<Seeded> {
  const volume = await createVolume(t);
  await runOnce(['-v', `${volume}:/data`, image, 'sh', '-c', 'echo committed > /data/committed']);
  const answer = await api('POST', `/dvol/volumes/${volume}/commits`, {
    message: 'seeded',
    author: 'E2E <e2e@example.com>',
  });
  if (answer.status !== 201) throw new Error(`commit failed: ${JSON.stringify(answer.body)}`);
  await runOnce(['-v', `${volume}:/data`, image, 'sh', '-c', 'echo working > /data/working']);
  return { volume, commit: (answer.body as { commit: { id: string } }).commit.id };
}

/** Asserts Docker still knows the volume, its data and its history are intact, and fsck is clean. */
export async function checkSeeded(
  t: Test,
  image: string,
  { volume, commit }: Seeded,
  when: string,
): Promise<void> {
  t.match(
    await volumeStatus(volume),
    { branch: 'master', head: commit },
    `${when}: Docker still has the volume at its HEAD`,
  );
  const data = await runOnce(['-v', `${volume}:/data`, image, 'cat', '/data/committed', '/data/working']);
  t.equal(data, 'committed\nworking', `${when}: committed and uncommitted data are there`);
  const log = await api('GET', `/dvol/volumes/${volume}/commits`);
  const ids = ((log.body as { commits?: { id: string }[] }).commits ?? []).map((c) => c.id);
  t.same(ids, [commit], `${when}: the history is there`);
  await fsck(t, volume);
}
