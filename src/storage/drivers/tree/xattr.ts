// Reads extended attributes of many entries with one getfattr run. Node has no xattr API, and argv
// cannot carry names that are not valid UTF-8, so each entry is opened with O_PATH|O_NOFOLLOW and
// named to getfattr as /proc/<pid>/fd/<n>, which reaches the entry itself, symlinks included.

import { constants, promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

import { run } from '../exec.js';

/** Linux's O_PATH (the same value on every architecture Node supports); Node does not export it. */
const O_PATH = 0o10000000;
/** Entries per getfattr run: keeps argv and open descriptors well under their limits. */
const BATCH = 256;

/**
 * Every xattr of each path (name=hex value lines, sorted), in input order; entries that vanished get
 * undefined. All namespaces getfattr can see are included (user, trusted, security, ACLs).
 */
export async function readXattrs(paths: Buffer[]): Promise<(string | undefined)[]> {
  const out: (string | undefined)[] = [];
  for (let i = 0; i < paths.length; i += BATCH) out.push(...(await readBatch(paths.slice(i, i + BATCH))));
  return out;
}

async function readBatch(paths: Buffer[]): Promise<(string | undefined)[]> {
  const handles = await Promise.all(paths.map((p) => openPath(p)));
  try {
    const open = handles.filter((h): h is FileHandle => h !== undefined);
    if (open.length === 0) return handles.map(() => undefined);
    const names = open.map((h) => `/proc/${process.pid}/fd/${h.fd}`);
    const { stdout } = await getfattr([], names);
    const byName = parseDump(stdout);
    return handles.map((h) =>
      h === undefined ? undefined : (byName.get(`/proc/${process.pid}/fd/${h.fd}`) ?? ''),
    );
  } finally {
    await Promise.all(handles.map((h) => h?.close()));
  }
}

async function openPath(p: Buffer): Promise<FileHandle | undefined> {
  try {
    return await fs.open(p, O_PATH | constants.O_NOFOLLOW);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Every xattr of every entry under `root` (the root included) from one recursive getfattr run, keyed
 * by relative path (latin1, like walkTree's); entries without xattrs are absent. Cheaper than
 * readXattrs when most of a big tree has to be compared.
 */
export async function readTreeXattrs(root: string): Promise<Map<string, string>> {
  const { stdout } = await getfattr(['--recursive', '--physical', '--no-dereference'], [root]);
  const prefix = Buffer.from(root).toString('latin1');
  const result = new Map<string, string>();
  for (const [name, attrs] of parseDump(stdout)) {
    if (name === prefix) result.set('', attrs);
    else if (name.startsWith(`${prefix}/`)) result.set(name.slice(prefix.length + 1), attrs);
  }
  return result;
}

/** Runs getfattr in dump mode; filesystems without xattr support just have none. */
function getfattr(options: string[], paths: string[]): Promise<{ stdout: string }> {
  return run(
    'getfattr',
    ['--absolute-names', '--dump', '--match=-', '--encoding=hex', ...options, '--', ...paths],
    'reading extended attributes',
    { tolerate: /Operation not supported/ },
  );
}

/** Parses getfattr's dump: "# file: NAME" then "attr=0x..." lines, blank line between files. */
function parseDump(text: string): Map<string, string> {
  const result = new Map<string, string>();
  for (const block of text.split('\n\n')) {
    const lines = block.split('\n').filter((l) => l !== '');
    const head = lines.shift();
    if (head === undefined || !head.startsWith('# file: ')) continue;
    result.set(unescape(head.slice('# file: '.length)), lines.sort().join('\n'));
  }
  return result;
}

/** Undoes getfattr's quoting of names: backslash and control bytes appear as \ooo (octal). */
function unescape(name: string): string {
  return name.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}
