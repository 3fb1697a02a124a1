// Path-level changes between two read-only snapshots, from a metadata-only send stream; used by
// hasChanges (stop at the first real one) and `dvol diff` (list them all).

import { OrphanResolver } from './orphans.js';
import { toChange, type PathChange } from './path-change.js';
import { sendMetadata } from './send.js';

/**
 * Yields the changes that turn read-only snapshot `parent` into read-only snapshot `current`, with
 * send's temporary orphan names (o<ino>-<gen>-<n>) resolved to real paths. Reads no file data. Some
 * 'times' and 'data' changes are not real (an atime update, identical bytes rewritten): filter with
 * isRealChange when that matters.
 */
export async function* snapshotChanges(parent: string, current: string): AsyncGenerator<PathChange> {
  const orphans = new OrphanResolver();
  for await (const command of sendMetadata(parent, current)) {
    const change = toChange(command);
    if (change) yield* orphans.resolve(change);
  }
  yield* orphans.flush();
}
