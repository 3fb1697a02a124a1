// The CLI's own versions: its dvol package version and the /dvol API version it speaks.

import { readFileSync } from 'node:fs';
import type { API_HEADER, API_VERSION, VERSION_HEADER } from '../api/version.js';

/** The API version this CLI speaks: typed as the API's own, so the two cannot drift apart. */
export const CLI_API_VERSION: typeof API_VERSION = '1.0';

/** The headers every request carries (src/api/version.ts), so a plugin of another API major says so. */
export function versionHeaders(): Record<typeof API_HEADER | typeof VERSION_HEADER, string> {
  return { 'dvol-api-version': CLI_API_VERSION, 'dvol-version': cliVersion() };
}

/**
 * The CLI's version, from the nearest dvol package.json above this module: it runs from src/cli (tests),
 * dist/cli or the bundled dist/cli/dvol.js. Read once, when the first request is sent.
 */
export function cliVersion(): string {
  return (cached ??= readVersion());
}

let cached: string | undefined;

function readVersion(): string {
  for (let dir = new URL('.', import.meta.url); ; dir = new URL('..', dir)) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as Record<string, unknown>;
      if (pkg.name === 'dvol' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // No package.json at this level (or not ours): keep going up.
    }
    if (dir.pathname === '/') return 'unknown';
  }
}
