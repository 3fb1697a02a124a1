// The API version exchange of the /dvol routes (src/api/version.ts): every answer says which API
// and dvol version the plugin speaks, and a request from a CLI of another API major is refused with
// one sentence that says which of the two to upgrade.

import type { MiddlewareHandler } from 'hono';
import { API_HEADER, API_VERSION, VERSION_HEADER, apiMajor } from '../api/version.js';
import { DvolError } from '../storage/errors.js';
import { quote } from '../storage/names.js';
import { packageVersion } from './version.js';

export const apiVersion: MiddlewareHandler = async (c, next) => {
  const plugin = await packageVersion();
  try {
    // A CLI older than the exchange sends nothing: it speaks API 1.0, the first one.
    const sent = c.req.header(API_HEADER);
    if (sent !== undefined) refuseIncompatible(sent, c.req.header(VERSION_HEADER), plugin);
    await next();
  } finally {
    c.header(API_HEADER, API_VERSION);
    c.header(VERSION_HEADER, plugin);
  }
};

function refuseIncompatible(sent: string, cliVersion: string | undefined, plugin: string): void {
  const major = apiMajor(sent);
  const ours = apiMajor(API_VERSION) as number;
  if (major === ours) return;
  const cli = `this dvol CLI${cliVersion ? ` ${quote(cliVersion.slice(0, 64))}` : ''}`;
  if (major === undefined) {
    throw new DvolError(
      'invalid',
      `${cli} sent the API version ${quote(sent.slice(0, 64))}, which is not MAJOR.MINOR`,
      `use a dvol CLI of version ${plugin}, the plugin's`,
    );
  }
  const speaks = `${cli} speaks API ${sent} but the dvol plugin ${plugin} speaks API ${API_VERSION}`;
  if (major > ours) {
    throw new DvolError(
      'unsupported',
      `${speaks}: the plugin is older`,
      `upgrade the plugin to the CLI's version ('docker plugin upgrade', or 'npm run setup' in a checkout), or use a dvol CLI ${plugin}`,
    );
  }
  throw new DvolError(
    'unsupported',
    `${speaks}: the CLI is older`,
    `upgrade the CLI to ${plugin} ('npm install -g' its package, or 'npm run setup' in a checkout)`,
  );
}
