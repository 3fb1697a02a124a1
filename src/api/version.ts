// The /dvol API's version. The CLI sends it (and its own dvol version) with every request and the
// plugin with every answer, so a CLI and a plugin that cannot work together say so in one sentence,
// naming which to upgrade, instead of failing on a route or a field that changed.

/**
 * MAJOR.MINOR. A CLI works with a plugin of the same major: minors only add routes, fields and
 * values that an older peer may ignore; anything else is a new major.
 */
export const API_VERSION = '1.0';

/** Request and answer header carrying the sender's API version. */
export const API_HEADER = 'dvol-api-version';
/** Request and answer header carrying the sender's dvol (package) version, for the sentence. */
export const VERSION_HEADER = 'dvol-version';

/** The major of an API version, or undefined for a value that is not one. */
export function apiMajor(version: string | undefined): number | undefined {
  const match = /^(\d{1,6})\.\d{1,6}$/.exec(version ?? '');
  return match ? Number(match[1]) : undefined;
}
