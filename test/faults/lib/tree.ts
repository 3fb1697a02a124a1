// Byte-for-byte fingerprints of directory trees, to prove a committed state or the working data is
// exactly what it was.
import { createHash } from 'node:crypto';
import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * One sha256 over every entry under `dir` (sorted relative paths, types, modes, file bytes, link
 * targets). Directory mtimes are left out: they change when a file is only read back.
 */
export async function treeHash(dir: string): Promise<string> {
  const hash = createHash('sha256');
  const walk = async (rel: string): Promise<void> => {
    const names = (await readdir(join(dir, rel))).sort();
    for (const name of names) {
      const path = join(rel, name);
      const st = await lstat(join(dir, path));
      hash.update(`${path}\0${st.mode}\0`);
      if (st.isDirectory()) await walk(path);
      else if (st.isSymbolicLink()) hash.update(await readlink(join(dir, path)));
      else if (st.isFile()) hash.update(await readFile(join(dir, path)));
      hash.update('\0');
    }
  };
  await walk('');
  return hash.digest('hex');
}

/** `md5sum` lines (`HASH  ./PATH`) of every regular file under `dir`, sorted: what busybox prints. */
export async function md5Lines(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const lines: string[] = [];
  for (const e of entries) {
    if (!e.isFile()) continue;
    const path = join(e.parentPath, e.name);
    const hash = createHash('md5')
      .update(await readFile(path))
      .digest('hex');
    lines.push(`${hash}  ./${path.slice(dir.length + 1)}`);
  }
  return lines.sort();
}
