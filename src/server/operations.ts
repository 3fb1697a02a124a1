// The operations of the /dvol API and Docker's Create/Remove, each one function that owns its
// container policy (stop or pause the volume's containers, from the driver's capability, through
// the guard), its locks and its result type. Routes parse, call one operation and answer; the
// scheduler, pull and mirrors call the same functions. Lock order: docs/design.md, "Locks".

import type { CloneAnswer, PullAnswer, PushAnswer } from '../api/routes.js';
import type { CloneBody, CredentialsBody, FetchBody, PullBody, PushBody } from '../api/bodies.js';
import { DvolError } from '../storage/errors.js';
import type {
  BranchInfo,
  Commit,
  FetchResult,
  ResetResult,
  TagInfo,
  Volume,
  VolumeInfo,
  VolumeSummary,
} from '../storage/model.js';
import { parseCreateOptions } from '../storage/options.js';
import type { BlobStore } from '../storage/remotes/blobstore.js';
import { branchTag } from '../storage/remotes/format/tags.js';
import { openRemote } from '../storage/remotes/open.js';
import { parseRemoteUrl } from '../storage/remotes/url.js';
import { remoteLocation } from '../storage/sync/remotes.js';
import { splitSource } from '../storage/sync/source.js';
import type { Deps } from './deps.js';

/** Names of the running containers an operation stopped and started again. */
export interface Restarted {
  restarted: string[];
}

/** A volume as listings show it: with the names of the running containers that use it. */
export type ListedVolume = VolumeSummary & { containers: string[] };

/**
 * Creates a volume from Docker-style options (`driver` plus the driver's own options). It holds the
 * name's storage lock and then the lock Mount takes, so a Mount of the name that arrives meanwhile
 * waits for the volume to be complete.
 */
export async function createVolume(
  deps: Deps,
  name: string,
  opts: Record<string, string>,
): Promise<VolumeInfo> {
  const { store, mountpoints } = deps;
  const options = parseCreateOptions(name, opts);
  return store.exclusive(name, () => mountpoints.exclusive(name, () => store.createVolume(name, options)));
}

/** `dvol init`: creates a volume and makes it the active one, as git init makes a repository current. */
export async function initVolume(
  deps: Deps,
  name: string,
  opts: Record<string, string>,
): Promise<VolumeInfo> {
  const volume = await createVolume(deps, name, opts);
  await deps.active.set(name);
  return volume;
}

/**
 * Deletes a volume and its history, its mount point and its active mark. Refused while mounted, unless
 * the mounts are stale (no container references the volume any more). The check and the removal hold
 * the volume's storage lock and then the lock Mount takes, so a Mount and a Remove racing each other
 * cannot both succeed.
 */
export async function removeVolume(deps: Deps, name: string): Promise<void> {
  const { store, guard, mountpoints, active } = deps;
  await store.volume(name).info();
  await guard.clearIfStale(name);
  await store.exclusive(name, () =>
    mountpoints.exclusive(name, async () => {
      // Counted or not, a bind that is still there is a container's view of the data.
      if (store.mounts.count(name) === 0 && mountpoints.isMounted(name)) {
        throw new DvolError(
          'in_use',
          `volume '${name}' is still bind-mounted at ${mountpoints.path(name)}, so it cannot be removed`,
          `unmount it (umount ${mountpoints.path(name)}) or restart the plugin, then try again`,
        );
      }
      await store.removeVolume(name);
      await mountpoints.forget(name);
    }),
  );
  await active.forget(name);
  // A mirror of a volume that is gone would retry forever; its keys stay in Redis, as after mirror rm.
  await deps.mirrors.removeVolume(name);
}

/** Every volume with its size and the containers using it. */
export async function listVolumes(deps: Deps): Promise<ListedVolume[]> {
  const [summaries, users] = await Promise.all([deps.store.summarizeVolumes(), containerNames(deps)]);
  return summaries.map((v) => ({ ...v, containers: users.get(v.name) ?? [] }));
}

/** Names of the running containers using volume `name` (none known when Docker is unreachable). */
export async function volumeContainers(deps: Deps, name: string): Promise<string[]> {
  return (await containerNames(deps)).get(name) ?? [];
}

/**
 * Commits the volume's working data. The containers are paused while the snapshot is taken, unless
 * the driver's snapshots are atomic (the guard decides).
 */
export async function commit(
  deps: Deps,
  name: string,
  opts: { message: string; author: string },
): Promise<Commit> {
  const vol = deps.store.volume(name);
  const made = await deps.guard.paused(name, `commit of volume '${name}'`, () => vol.commit(opts));
  deps.events.emit(name, { type: 'commit', branch: (await vol.info()).activeBranch, commit: made.id });
  return made;
}

/**
 * A scheduled snapshot: a commit that hangs off HEAD and moves no branch, with the commit's container
 * policy (paused unless the driver snapshots atomically).
 */
export async function snapshot(
  deps: Pick<Deps, 'store' | 'guard'>,
  name: string,
  opts: { message: string; author: string; date: Date },
): Promise<Commit> {
  const vol = deps.store.volume(name);
  return deps.guard.paused(name, `scheduled snapshot of volume '${name}'`, () => vol.snapshot(opts));
}

/** `reset --hard REF`: with the volume's containers stopped, then started again. */
export async function reset(
  deps: Deps,
  name: string,
  opts: { ref: string; hard: boolean },
): Promise<ResetResult & Restarted> {
  const vol = deps.store.volume(name);
  const { result, restarted } = await deps.guard.stopped(name, `reset of volume '${name}'`, () =>
    vol.reset(opts.ref, { hard: opts.hard }),
  );
  // Mirrors and watches follow this event onto the reset data.
  deps.events.emit(name, {
    type: 'reset',
    branch: (await vol.info()).activeBranch,
    commit: result.commit.id,
  });
  return { ...result, restarted };
}

/** What a checkout did: the branch now active, and for `-b` what it was made from. */
export interface CheckoutResult extends Restarted {
  branch: BranchInfo;
  from?: { branch: string; commit: string | null };
}

/**
 * Switches to `branch`, or with `create` makes it from HEAD first. The containers are stopped around
 * the switch so they see the branch's data; a checkout of the branch already active changes nothing
 * and leaves them running.
 */
export async function checkout(
  deps: Deps,
  name: string,
  opts: { branch: string; create?: boolean },
): Promise<CheckoutResult> {
  const vol = deps.store.volume(name);
  const { branch, create = false } = opts;
  if (!create && (await vol.info()).activeBranch === branch) {
    // Already there: nothing for the containers, watches or mirrors to reload.
    return { branch: await vol.checkout(branch), restarted: [] };
  }
  // Refused before any container is stopped; checked again under the lock by the checkout itself.
  await vol.ensureClean();
  const { result, restarted } = await deps.guard.stopped(name, `checkout of branch '${branch}'`, async () => {
    // `from` is read under the same lock as the checkout, so it names what the branch was made from.
    const before = await vol.info();
    const info = create ? await vol.createBranch(branch) : await vol.checkout(branch);
    return {
      branch: info,
      ...(create ? { from: { branch: before.activeBranch, commit: before.head } } : {}),
    };
  });
  // Mirrors and watches follow this event onto the branch's data.
  deps.events.emit(name, { type: 'checkout', branch: result.branch.name });
  return { ...result, restarted };
}

/** `branch -d`: an inactive branch only, so no container sees its data and none is stopped. */
export async function deleteBranch(
  deps: Deps,
  name: string,
  branch: string,
  opts: { force: boolean },
): Promise<{ removed: Commit[] }> {
  return deps.store.volume(name).deleteBranch(branch, opts);
}

/** `commit -d`: deletes the data of a commit that is not the working data's base; its record stays. */
export async function deleteCommitData(deps: Deps, name: string, ref: string): Promise<Commit> {
  return deps.store.volume(name).deleteCommitData(ref);
}

/** `tag NAME [REF]`. */
export async function createTag(deps: Deps, name: string, tag: string, ref?: string): Promise<TagInfo> {
  return deps.store.volume(name).createTag(tag, ref);
}

/** `tag -d NAME`. */
export async function deleteTag(deps: Deps, name: string, tag: string): Promise<void> {
  await deps.store.volume(name).deleteTag(tag);
}

/**
 * Names of the running containers using each volume. Docker is asked only when some volume is
 * mounted, and a Docker that cannot be reached means "none known": a listing must not fail for it.
 */
async function containerNames(deps: Deps): Promise<Map<string, string[]>> {
  const volumes = await deps.store.listVolumes();
  if (!volumes.some((v) => deps.store.mounts.count(v.name) > 0)) return new Map();
  try {
    const byVolume = await deps.containers.byVolume();
    return new Map([...byVolume].map(([name, refs]) => [name, refs.map((r) => r.name)]));
  } catch (err) {
    if (deps.config.debug) console.error(err);
    return new Map();
  }
}

/** Opens the remote `url` with the credentials the CLI sent, runs `fn` on it, and closes it. */
async function onRemote<T>(
  deps: Deps,
  url: string,
  credentials: CredentialsBody | undefined,
  create: boolean,
  fn: (store: BlobStore) => Promise<T>,
): Promise<T> {
  const opts = { credentials: credentials ?? null, create, certsDir: deps.config.certsDir };
  const remote = await openRemote(url, opts);
  try {
    return await fn(remote.store);
  } finally {
    remote.close();
  }
}

async function remoteUrl(vol: Volume, remote: string): Promise<string> {
  const found = (await vol.remotes()).find((r) => r.name === remote);
  if (found) return found.url;
  throw new DvolError(
    'not_found',
    `volume '${vol.name}' has no remote '${remote.slice(0, 64)}'`,
    `add it with 'dvol remote add ${remote.slice(0, 64)} URL'`,
  );
}

/** `push [REMOTE [BRANCH]]`: reads commit data only, so the containers keep running. */
export async function push(
  deps: Deps,
  name: string,
  body: PushBody,
  onProgress?: (line: string) => void,
): Promise<PushAnswer> {
  const vol = deps.store.volume(name);
  const remote = body.remote ?? 'origin';
  const branch = body.branch ?? (await vol.info()).activeBranch;
  const url = await remoteUrl(vol, remote);
  const result = await onRemote(deps, url, body.credentials, true, (store) =>
    vol.push(store, { remote, branch, force: body.force === true, onProgress }),
  );
  // Pushed with credentials, as to a private repository: say so loudly if anyone can read it.
  if (body.credentials && result.pushed.length > 0 && parseRemoteUrl(url).kind === 'registry') {
    const anonymous = await onRemote(deps, url, undefined, false, (store) =>
      store.resolve(branchTag(branch)),
    ).catch(() => undefined);
    if (anonymous) return { ...result, public: true };
  }
  return result;
}

/** `fetch [REMOTE]`: tracking branches only; nothing a container sees changes. */
export async function fetch(
  deps: Deps,
  name: string,
  body: FetchBody,
  onProgress?: (line: string) => void,
): Promise<FetchResult> {
  const vol = deps.store.volume(name);
  const remote = body.remote ?? 'origin';
  const url = await remoteUrl(vol, remote);
  return onRemote(deps, url, body.credentials, false, (store) => vol.fetch(store, remote, { onProgress }));
}

/**
 * `pull [REMOTE [BRANCH]]`: fetches the branch, then fast-forwards the active branch to it with the
 * volume's containers stopped and started again, as reset does. Refused onto uncommitted changes.
 */
export async function pull(
  deps: Deps,
  name: string,
  body: PullBody,
  onProgress?: (line: string) => void,
): Promise<PullAnswer> {
  const vol = deps.store.volume(name);
  const remote = body.remote ?? 'origin';
  const info = await vol.info();
  const branch = body.branch ?? info.activeBranch;
  const url = await remoteUrl(vol, remote);
  await vol.ensureClean();
  const fetched = await onRemote(deps, url, body.credentials, false, (store) =>
    vol.fetch(store, remote, { branch, onProgress }),
  );
  if (fetched.branches.length === 0) {
    throw new DvolError(
      'not_found',
      `${fetched.location} has no branch '${branch}'`,
      `see its branches with 'dvol fetch ${remote}' and 'dvol branch -r'`,
    );
  }
  if (fetched.branches[0]!.to === info.head) {
    const pulled = {
      branch: info.activeBranch,
      from: info.head,
      to: info.head,
      outcome: 'up-to-date' as const,
    };
    return { fetch: fetched, pull: pulled, restarted: [] };
  }
  const { result, restarted } = await deps.guard.stopped(name, `pull into volume '${name}'`, () =>
    vol.fastForward(remote, branch, { stash: body.stash === true }),
  );
  // The data changed under the containers as a reset changes it: mirrors and watches follow.
  if (result.to !== null && result.to !== result.from) {
    deps.events.emit(name, { type: 'reset', branch: result.branch, commit: result.to });
  }
  return { fetch: fetched, pull: result, restarted };
}

/**
 * `clone URL[:BRANCH] NAME`: a new volume whose history is the remote branch's (same ids), with
 * `origin` set. The whole clone holds the name's locks, so a Mount of it waits for a complete
 * volume; a failure removes the volume again.
 */
export async function clone(
  deps: Deps,
  body: CloneBody,
  onProgress?: (line: string) => void,
): Promise<CloneAnswer> {
  const { store, mountpoints } = deps;
  const { url, branch = 'master' } = splitSource(body.source);
  remoteLocation(url); // refuses a bad URL before anything is made
  const name = body.name;
  const options = parseCreateOptions(name, body.driver ? { driver: body.driver } : {});
  return store.exclusive(name, () =>
    mountpoints.exclusive(name, async () => {
      await store.createVolume(name, options);
      const vol = store.volume(name);
      try {
        await vol.addRemote('origin', url);
        const fetched = await onRemote(deps, url, body.credentials, false, (remote) =>
          vol.fetch(remote, 'origin', { branch, onProgress }),
        );
        if (fetched.branches.length === 0) {
          throw new DvolError(
            'not_found',
            `${fetched.location} has no branch '${branch}'`,
            'name a branch it has: dvol clone URL:BRANCH NAME',
          );
        }
        await vol.startFrom('origin', branch);
        return { volume: await vol.info(), fetch: fetched, branch };
      } catch (err) {
        await store.removeVolume(name).catch(() => undefined);
        throw err;
      }
    }),
  );
}
