// `remote add/rm/-v`: a volume's remotes in volume.json. A remote's URL is checked when it is added
// (url.ts) and kept as given; removing a remote drops its tracking branches and the commits only
// they kept.

import { type VolumeContext, loadRecord } from '../context.js';
import { DvolError } from '../errors.js';
import { collectGarbage } from '../gc.js';
import { readAllCommits, writeVolumeRecord } from '../meta.js';
import { checkName, quote } from '../names.js';
import { parseRemoteUrl } from '../remotes/url.js';
import { remoteOf, requireRemote, withRemote, withoutRemote } from '../remote-refs.js';

export interface RemoteInfo {
  name: string;
  url: string;
  /** Where the data goes, as messages show it (`docker.io/u/db`, a directory path). */
  location: string;
  /** Remote-tracking branches: the remote's branch tips at the last push or fetch. */
  branches: { name: string; commit: string }[];
}

/** Where a remote URL's data goes, for messages. */
export function remoteLocation(url: string): string {
  const parsed = parseRemoteUrl(url);
  return parsed.kind === 'directory' ? parsed.path : parsed.location;
}

export async function listRemotes(ctx: VolumeContext): Promise<RemoteInfo[]> {
  const record = await loadRecord(ctx);
  return Object.entries(record.remotes ?? {}).map(([name, r]) => ({
    name,
    url: r.url,
    location: remoteLocation(r.url),
    branches: Object.entries(r.branches).map(([branch, commit]) => ({ name: branch, commit })),
  }));
}

export async function addRemote(ctx: VolumeContext, name: string, url: string): Promise<RemoteInfo> {
  checkName('remote', name);
  const location = remoteLocation(url);
  const record = await loadRecord(ctx);
  if (remoteOf(record, name)) {
    throw new DvolError(
      'exists',
      `volume '${ctx.name}' already has a remote ${quote(name)}`,
      `remove it first with 'dvol remote rm ${name}'`,
    );
  }
  await writeVolumeRecord(ctx.paths, withRemote(record, name, { url, branches: {} }));
  return { name, url, location, branches: [] };
}

/** Removes a remote and its tracking branches; resolves to the commits only they kept (now deleted). */
export async function removeRemote(ctx: VolumeContext, name: string): Promise<{ removed: string[] }> {
  const record = await loadRecord(ctx);
  requireRemote(record, name);
  const next = withoutRemote(record, name);
  await writeVolumeRecord(ctx.paths, next);
  const removed = await collectGarbage(ctx.paths, ctx.driver(next), next, await readAllCommits(ctx.paths));
  return { removed: removed.map((c) => c.id) };
}
