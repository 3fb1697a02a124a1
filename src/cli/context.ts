// Builds the Context a verb runs with: the lazily discovered API client, the printer, the active volume.

import { makeClient } from './client.js';
import type { Context } from './command.js';
import { CliError } from './errors.js';
import type { Io, Printer } from './printer.js';
import { discoverSocket } from './socket.js';

/** A Context for one run; the socket is only looked for when a verb first calls the API. */
export function makeContext(io: Io, print: Printer): Context {
  let socket: Promise<string> | undefined;
  const api = makeClient(() => (socket ??= discoverSocket(io.env)));
  return {
    api,
    print,
    io,
    async volume(explicit) {
      if (explicit !== undefined) return explicit;
      const { active } = await api.call('GET /dvol/active');
      if (!active) {
        throw new CliError(
          'not_found',
          'no active volume',
          "name the volume as the last argument, or pick one with 'dvol switch VOLUME' ('dvol list' shows them)",
        );
      }
      return active;
    },
  };
}
