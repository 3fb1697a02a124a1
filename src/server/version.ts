// The package version, read once from package.json (two levels up from both src/server and dist/server).

import { readFile } from 'node:fs/promises';

let cached: Promise<string> | undefined;

/** dvol's version, or 'unknown' when package.json is not shipped beside the code. */
export function packageVersion(): Promise<string> {
  cached ??= readFile(new URL('../../package.json', import.meta.url), 'utf8')
    .then((text) => (JSON.parse(text) as { version?: string }).version ?? 'unknown')
    .catch(() => 'unknown');
  return cached;
}
