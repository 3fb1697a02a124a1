// A volume's remotes and remote-tracking branches (`origin/master`) in volume.json: own-key
// look-ups and updates only, since remote and branch names come from users and from remotes.

import { DvolError } from './errors.js';
import type { RemoteRecord, VolumeRecord } from './meta.js';
import { quote } from './names.js';
import { ownDict } from './record-refs.js';

/** The remote called `name`, or undefined. */
export function remoteOf(record: VolumeRecord, name: string): RemoteRecord | undefined {
  const remotes = record.remotes;
  return remotes !== undefined && Object.hasOwn(remotes, name) ? remotes[name] : undefined;
}

/** The remote called `name`; 'not_found' naming the remotes there are. */
export function requireRemote(record: VolumeRecord, name: string): RemoteRecord {
  const remote = remoteOf(record, name);
  if (remote) return remote;
  const names = Object.keys(record.remotes ?? {});
  throw new DvolError(
    'not_found',
    `volume '${record.name}' has no remote ${quote(name)}`,
    names.length > 0 ? `its remotes are: ${names.join(', ')}` : "add one with 'dvol remote add origin URL'",
  );
}

/** `record` with remote `name` set (its tracking branches replaced by `branches`). */
export function withRemote(record: VolumeRecord, name: string, remote: RemoteRecord): VolumeRecord {
  const entries = Object.entries(record.remotes ?? {});
  const value = { url: remote.url, branches: ownDict(Object.entries(remote.branches)) };
  const next: [string, RemoteRecord][] = Object.hasOwn(record.remotes ?? {}, name)
    ? entries.map(([key, r]) => [key, key === name ? value : r])
    : [...entries, [name, value]];
  return { ...record, remotes: ownDict(next) };
}

export function withoutRemote(record: VolumeRecord, name: string): VolumeRecord {
  const entries = Object.entries(record.remotes ?? {}).filter(([key]) => key !== name);
  return { ...record, remotes: ownDict(entries) };
}

/** `record` with the tracking branch `remote/branch` at `id` (null: removed). */
export function withTracking(
  record: VolumeRecord,
  remote: string,
  branch: string,
  id: string | null,
): VolumeRecord {
  const r = requireRemote(record, remote);
  const branches = Object.entries(r.branches).filter(([key]) => key !== branch);
  if (id !== null) branches.push([branch, id]);
  branches.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return withRemote(record, remote, { url: r.url, branches: ownDict(branches) });
}

/** The commit `REMOTE/BRANCH` names, or undefined when `base` is not a tracking branch. */
export function trackingRef(record: VolumeRecord, base: string): string | undefined {
  const slash = base.indexOf('/');
  if (slash <= 0) return undefined;
  const remote = remoteOf(record, base.slice(0, slash));
  const branch = base.slice(slash + 1);
  return remote !== undefined && Object.hasOwn(remote.branches, branch) ? remote.branches[branch] : undefined;
}
