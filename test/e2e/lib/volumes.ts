// Reading what Docker and the plugin say about a volume, for the e2e tests' assertions.
import { docker, dockerResult } from './exec.js';

/** The plugin's Get `Status` as `docker volume inspect` shows it. */
export interface VolumeStatus {
  branch: string;
  head: string;
  mounts: number;
  driver: string;
  [key: string]: unknown;
}

export async function volumeStatus(name: string): Promise<VolumeStatus> {
  return JSON.parse(await docker('volume', 'inspect', '-f', '{{json .Status}}', name)) as VolumeStatus;
}

/** Whether Docker knows the volume (`docker volume inspect` succeeds). */
export async function volumeExists(name: string): Promise<boolean> {
  return (await dockerResult('volume', 'inspect', name)).code === 0;
}

/** A shell command for busybox that runs until `docker stop` (sh as PID 1 ignores SIGTERM otherwise). */
export const SLEEP_UNTIL_STOPPED = ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 1; done'];
