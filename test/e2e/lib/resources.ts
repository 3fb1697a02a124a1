// Volumes and containers that e2e tests create, each removed by t.teardown even when a test fails.
// Containers carry the label dvol-e2e so .ci/run can remove leftovers of a crashed run.
import type { Test } from 'tap';
import { docker, dockerResult } from './exec.js';
import { uniqueName } from './names.js';
import { PLUGIN } from './plugin.js';

export const LABEL = 'dvol-e2e';

/** `docker volume create -d dvol [-o k=v...] NAME`; removed (with its history) at teardown. */
export async function createVolume(
  t: Test,
  opts: Record<string, string> = {},
  name = uniqueName('vol'),
): Promise<string> {
  const o = Object.entries(opts).flatMap(([k, v]) => ['-o', `${k}=${v}`]);
  await docker('volume', 'create', '-d', PLUGIN, ...o, name);
  removeVolumeAtTeardown(t, name);
  return name;
}

/** Registers `docker volume rm -f NAME` at teardown, for volumes that Docker creates implicitly. */
export function removeVolumeAtTeardown(t: Test, name: string): void {
  t.teardown(async () => {
    await dockerResult('volume', 'rm', '-f', name);
  });
}

/**
 * `docker run -d --label dvol-e2e --name NAME args...` (args start with options, then the image and
 * command); removed with `docker rm -f -v` at teardown. Resolves with the container's name.
 */
export async function runDetached(t: Test, args: string[], name = uniqueName('ctr')): Promise<string> {
  t.teardown(async () => {
    await dockerResult('rm', '-f', '-v', name);
  });
  await docker('run', '-d', '--label', LABEL, '--name', name, ...args);
  return name;
}

/** `docker run --rm --label dvol-e2e args...` to completion; resolves with trimmed stdout. */
export function runOnce(args: string[]): Promise<string> {
  return docker('run', '--rm', '--label', LABEL, ...args);
}
