// Opens the BlobStore a remote URL names: a directory (an OCI image layout) or a registry
// repository, with the credentials the caller brings (the plugin never reads a config.json).

import { stat } from 'node:fs/promises';
import { DvolError } from '../errors.js';
import type { BlobStore } from './blobstore.js';
import { openLayoutStore } from './layout/store.js';
import type { Credentials } from './registry/credentials.js';
import { openRegistryStore } from './registry/store.js';
import type { TransportOptions } from './registry/transport.js';
import { parseRemoteUrl } from './url.js';

export interface OpenRemoteOptions extends TransportOptions {
  /** The user's credentials for the registry, or null for none (anonymous). */
  credentials: Credentials | null;
  /** Whether a directory remote may be made (push); reads need it to exist. */
  create: boolean;
}

export interface OpenedRemote {
  store: BlobStore;
  /** Ends the store's connections. */
  close(): void;
}

export async function openRemote(url: string, opts: OpenRemoteOptions): Promise<OpenedRemote> {
  const parsed = parseRemoteUrl(url);
  if (parsed.kind === 'registry') {
    const store = openRegistryStore(parsed, opts);
    return { store, close: () => store.close() };
  }
  if (!opts.create) {
    const found = await stat(parsed.path).catch(() => undefined);
    if (!found?.isDirectory()) {
      throw new DvolError(
        'not_found',
        `the directory remote ${parsed.path} does not exist`,
        'check the URL with dvol remote -v, or push to it first',
      );
    }
  }
  return { store: await openLayoutStore(parsed.path), close: () => undefined };
}
