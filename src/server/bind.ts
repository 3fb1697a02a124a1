// The system side of Mount and Unmount: bind-mount a branch's data, unmount it, list what is mounted.

import { execFile } from 'node:child_process';
import { mkdir, readFile, rmdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { DvolError } from '../storage/errors.js';

const run = promisify(execFile);

/** Bind-mounts `source` at `target`, creating the target directory. */
export async function bindMount(source: string, target: string): Promise<void> {
  await mkdir(target, { recursive: true });
  await system('mount', ['--bind', source, target], `bind-mounting ${source} at ${target}`);
}

/**
 * Unmounts `target` and removes the empty directory. Falls back to a lazy unmount: a process that
 * still has a file open there must not keep the volume mounted forever.
 */
export async function unmount(target: string): Promise<void> {
  try {
    await system('umount', [target], `unmounting ${target}`);
  } catch {
    await system('umount', ['-l', target], `unmounting ${target}`);
  }
  await rmdir(target).catch(() => undefined);
}

/** The names of the mount points directly under `root` (which must be a canonical path). */
export async function mountedUnder(root: string): Promise<Set<string>> {
  const names = new Set<string>();
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  for (const line of text.split('\n')) {
    // Field 5 is the mount point, with space, tab, newline and backslash written as octal escapes.
    const field = line.split(' ')[4];
    if (field === undefined) continue;
    const point = field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
    if (dirname(point) === root) names.add(point.slice(root.length + 1));
  }
  return names;
}

async function system(command: string, args: string[], doing: string): Promise<void> {
  try {
    await run(command, args);
  } catch (err) {
    const detail = (err as { stderr?: string }).stderr?.trim() || (err as Error).message;
    throw new DvolError('internal', `${doing} failed: ${detail}`, undefined, { cause: err });
  }
}
