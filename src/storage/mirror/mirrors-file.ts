// The mirrors a state directory keeps running: <state>/mirrors.json, rewritten whole (temp file, fsync,
// rename) on every add and rm, read when the plugin starts so mirrors resume after a restart.

import { join } from 'node:path';
import { readJson, writeJsonAtomic } from '../atomic.js';
import { DvolError } from '../errors.js';

/** One mirror as persisted. The URL may hold a password: the file is 0600 in a 0700 directory. */
export interface MirrorSpec {
  /** 8 hex digits, random. */
  id: string;
  volume: string;
  url: string;
  prefix: string;
}

interface MirrorsFile {
  version: 1;
  mirrors: MirrorSpec[];
}

export function mirrorsFilePath(stateDir: string): string {
  return join(stateDir, 'mirrors.json');
}

/** The persisted mirrors (absent file: none); 'corrupt' for a file that is not a mirror list. */
export async function readMirrors(path: string): Promise<MirrorSpec[]> {
  const file = await readJson<unknown>(path);
  if (file === undefined) return [];
  const list = (file as Partial<MirrorsFile>).mirrors;
  if ((file as Partial<MirrorsFile>).version !== 1 || !Array.isArray(list) || !list.every(isSpec)) {
    throw new DvolError(
      'corrupt',
      `${path} is not a version 1 list of mirrors`,
      'remove it and add the mirrors again with dvol mirror add',
    );
  }
  return list.map(({ id, volume, url, prefix }) => ({ id, volume, url, prefix }));
}

export async function writeMirrors(path: string, mirrors: MirrorSpec[]): Promise<void> {
  const file: MirrorsFile = { version: 1, mirrors };
  await writeJsonAtomic(path, file);
}

function isSpec(value: unknown): value is MirrorSpec {
  const v = value as Partial<MirrorSpec> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.id === 'string' &&
    typeof v.volume === 'string' &&
    typeof v.url === 'string' &&
    typeof v.prefix === 'string'
  );
}
