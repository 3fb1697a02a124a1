// What the server answers while its store cannot be opened: every call gets why and the fix, except
// Docker's Get while the state directory may still hold volumes that Docker knows.

import type { Http2Bindings, HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { Hono } from 'hono';
import { DvolError, asDvolError } from '../storage/errors.js';
import { NotAStoreError } from '../storage/format.js';
import type { ServerConfig } from './config.js';
import { errorResponse } from './respond.js';
import { bootRoutes } from './volumedriver.js';

/** What @hono/node-server hands every request: its Node request and response. */
export type Bindings = HttpBindings | Http2Bindings;

/** The `unavailable` error every request gets: the reason the store did not open, and what to do. */
export function unavailableError(config: ServerConfig, reason: unknown): DvolError {
  const e = asDvolError(reason, `opening the store in ${config.stateDir}`);
  const plugin = config.pluginName;
  const retry =
    'dvol tries again at the next docker or dvol command; to use another directory: ' +
    `'docker plugin disable ${plugin}', 'docker plugin set ${plugin} state.source=DIR', ` +
    `'docker plugin enable ${plugin}' (${config.stateDir} is where the plugin sees its state.source)`;
  return new DvolError(
    'unavailable',
    `the dvol plugin cannot open its state directory: ${e.message}`,
    e.hint ? `${e.hint}; ${retry}` : retry,
    { cause: reason },
  );
}

/**
 * The app that serves while the store is closed. Docker drops its record of a volume whenever Get
 * answers without it, error or not, and keeps it when the plugin cannot be reached; so Get gets an
 * error only when no volume can live in the directory (it is not a dvol store), and otherwise its
 * connection is closed unanswered: Docker retries for up to 30 s (a retry may find the store open),
 * then fails that one operation with its own transport error, the records intact. List may fail:
 * Docker then warns and lists what it has cached. Capabilities and Activate are answered as always.
 */
export function unavailableApp(config: ServerConfig, reason: unknown): Hono<{ Bindings: Bindings }> {
  const error = unavailableError(config, reason);
  const app = new Hono<{ Bindings: Bindings }>();
  app.route('/', bootRoutes);
  if (!(reason instanceof NotAStoreError)) {
    app.post('/VolumeDriver.Get', (c) => {
      c.env.incoming.socket.destroy();
      return RESPONSE_ALREADY_SENT;
    });
  }
  app.all('*', (c) => errorResponse(c, error));
  return app;
}
