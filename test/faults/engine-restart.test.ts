// Engine restarts: dockerd stopped (SIGTERM) and killed (SIGKILL) while containers run on dvol
// volumes, with live-restore off and on (set through daemon.json, always restored). Afterwards the
// mount counts must match the running containers, no volume may be stuck "in use", and no running
// container may have lost its volume (its writes must still reach the volume's data).
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import {
  daemonConfigFile,
  dockerdArgs,
  dockerdLaunch,
  ensureDockerd,
  reloadDockerd,
  restartDockerd,
} from '../e2e/lib/dockerd.js';
import { docker, dockerResult } from '../e2e/lib/exec.js';
import { busyboxImage } from '../e2e/lib/images.js';
import { waitForPlugin } from '../e2e/lib/plugin.js';
import { createVolume, runDetached } from '../e2e/lib/resources.js';
import { stateSource } from '../e2e/lib/statefs.js';
import { volumeStatus } from '../e2e/lib/volumes.js';
import { waitFor } from '../e2e/lib/wait.js';
import { pluginClient } from './lib/dvolapi.js';
import { dataDirs } from './lib/history.js';

const LOOP = ['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 0.1; done'];
t.setTimeout(15 * 60_000);

const image = await busyboxImage();
await waitForPlugin();
const state = await stateSource();
const launch = dockerdLaunch();
const configFile = daemonConfigFile();
const original = existsSync(configFile) ? await readFile(configFile, 'utf8') : undefined;
const liveRestoreAtStart = (await docker('info', '-f', '{{.LiveRestoreEnabled}}')) === 'true';

// Registered first, so it runs last: dockerd is running again, with the configuration it had.
t.teardown(async () => {
  await ensureDockerd(launch);
  await setLiveRestore(liveRestoreAtStart);
  if (original === undefined) await rm(configFile, { force: true });
  else await writeFile(configFile, original);
});

/** Writes live-restore into daemon.json (keeping the rest) and has the running dockerd reload it. */
async function setLiveRestore(on: boolean): Promise<void> {
  const config = original === undefined ? {} : (JSON.parse(original) as Record<string, unknown>);
  await writeFile(configFile, `${JSON.stringify({ ...config, 'live-restore': on }, null, 2)}\n`);
  await reloadDockerd();
  await waitFor(`dockerd to have live-restore ${on}`, async () => {
    return (await docker('info', '-f', '{{.LiveRestoreEnabled}}')) === String(on);
  });
}

async function status(container: string): Promise<string> {
  return docker('inspect', '-f', '{{.State.Status}}', container);
}

/** A volume, the containers on it, and whether each should come back on its own after a restart. */
interface Scene {
  volume: string;
  containers: { name: string; restarts: boolean }[];
}

async function scene(t: Test, policies: boolean[]): Promise<Scene> {
  const volume = await createVolume(t);
  const containers = [];
  for (const restarts of policies) {
    const policy = restarts ? ['--restart', 'always'] : [];
    containers.push({
      name: await runDetached(t, [...policy, '-v', `${volume}:/data`, image, ...LOOP]),
      restarts,
    });
  }
  await docker('exec', containers[0]?.name ?? '', 'sh', '-c', `echo ${volume} > /data/marker`);
  return { volume, containers };
}

async function check(t: Test, scenes: Scene[], when: string): Promise<void> {
  const api = await pluginClient();
  for (const { volume, containers } of scenes) {
    const running: string[] = [];
    for (const c of containers) if ((await status(c.name)) === 'running') running.push(c.name);
    // Docker unmounts what it stopped a moment after the start: allow it that moment.
    await waitFor(
      `${volume} to count its running containers`,
      async () => {
        return (await volumeStatus(volume)).mounts === running.length;
      },
      { timeoutMs: 15_000 },
    ).catch(() => undefined);
    t.equal(
      (await volumeStatus(volume)).mounts,
      running.length,
      `${when}: ${volume} counts its ${running.length} running container(s)`,
    );
    for (const name of running) {
      t.equal(
        await docker('exec', name, 'cat', '/data/marker'),
        volume,
        `${when}: ${name} still sees its volume`,
      );
      await docker('exec', name, 'sh', '-c', `echo ${name} > /data/from-${name}`);
      const info = (await api('GET', `/dvol/volumes/${volume}`)).body.volume as { activeBranch: string };
      const written = await readFile(
        join(dataDirs(state, volume).branch(info.activeBranch), `from-${name}`),
        'utf8',
      ).catch(() => '');
      t.equal(
        written.trim(),
        name,
        `${when}: what ${name} writes reaches the volume (it was not unmounted under it)`,
      );
    }
    if (running.length === 0) {
      const reset = await api('POST', `/dvol/volumes/${volume}/reset`, { ref: 'HEAD', hard: true });
      t.not(
        (reset.body.error as { code?: string } | undefined)?.code,
        'in_use',
        `${when}: ${volume} is not stuck in use`,
      );
    }
  }
  const fsck = await api('GET', '/dvol/fsck');
  t.same(fsck.body.problems, [], `${when}: fsck clean`);
}

const conflicting = dockerdArgs().some((a) => a.startsWith('--live-restore'));
for (const liveRestore of [false, true]) {
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    const name = `dockerd ${signal === 'SIGTERM' ? 'stopped' : 'killed'}, live-restore ${liveRestore ? 'on' : 'off'}`;
    t.test(
      name,
      { skip: conflicting ? 'dockerd was started with --live-restore: daemon.json cannot set it' : false },
      async (t) => {
        await setLiveRestore(liveRestore);
        const scenes = [await scene(t, [false, true]), await scene(t, [false])];
        // A commit gives reset something to go back to.
        const api = await pluginClient();
        for (const s of scenes) {
          const commit = await api('POST', `/dvol/volumes/${s.volume}/commits`, {
            message: 'before',
            author: 'F <f@example.com>',
          });
          t.equal(commit.status, 201, `${s.volume}: a commit before the restart`, { body: commit.body });
        }
        await restartDockerd(signal);
        await waitForPlugin();
        for (const s of scenes) {
          for (const c of s.containers) {
            const expected = liveRestore || c.restarts ? 'running' : 'exited';
            await waitFor(`${c.name} to be ${expected}`, async () => (await status(c.name)) === expected, {
              timeoutMs: 30_000,
            }).catch(() => undefined);
            t.equal(
              await status(c.name),
              expected,
              `${c.name} (${c.restarts ? 'restart always' : 'no restart policy'}) is ${expected}`,
            );
          }
        }
        await check(t, scenes, name);
        // Then everything stops: every count goes to zero and every volume can be removed.
        for (const s of scenes) for (const c of s.containers) await docker('rm', '-f', c.name);
        for (const s of scenes) {
          t.equal(
            (await volumeStatus(s.volume)).mounts,
            0,
            `${s.volume}: no mount left once its containers are gone`,
          );
          t.equal((await dockerResult('volume', 'rm', s.volume)).code, 0, `${s.volume} can be removed`);
        }
      },
    );
  }
}
