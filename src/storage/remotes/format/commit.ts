// One OCI image manifest per commit: a small JSON config blob, and as layers the branch history (on
// tips), the tree index blobs and every pack the commit needs, so a registry's GC keeps them all.
// Tagged `_c.<id>` (immutable) and, for a branch tip, with the branch's tag, put last.

import type { BlobStore, Descriptor } from '../blobstore.js';
import { DvolError } from '../../errors.js';
import { blobDigest } from './digest.js';
import { loadIndex } from './index-tree.js';
import {
  ARTIFACT_TYPE,
  CONFIG_TYPE,
  CREATED_ANNOTATION,
  EMPTY_BLOB,
  EMPTY_TYPE,
  FORMAT_VERSION,
  HISTORY_TYPE,
  INDEX_ROOT_TYPE,
  MANIFEST_TYPE,
  PACK_TYPE,
  TITLE_ANNOTATION,
} from './media.js';
import type { ParentTree, PushTreeResult } from './push.js';
import { MANIFEST_LIMIT, MAX_DESCRIPTORS } from './sizing.js';
import { branchTag, commitTag } from './tags.js';

/** A commit as the remote describes it. */
export interface CommitInfo {
  id: string;
  parents: string[];
  message: string;
  author: string;
  date: string;
  /** Its data was deleted ('dvol commit -d'): no index, no packs. */
  deleted?: boolean;
}

/** The config blob. */
export interface CommitConfig extends CommitInfo {
  formatVersion: number;
  /** Digest of the tree index root (absent when deleted). */
  index?: string;
  blockSize?: number;
}

/** One commit of a branch's history blob: enough for log and fetch without more manifest GETs. */
export interface HistoryEntry extends CommitInfo {
  manifest: string;
}

export interface FetchedCommit {
  descriptor: Descriptor;
  config: CommitConfig;
  /** The ancestors of the commit on its branch, newest first (on branch tips; else empty). */
  history: HistoryEntry[];
  indexRoot?: Descriptor;
  packs: Descriptor[];
}

async function putJson(store: BlobStore, mediaType: string, value: unknown): Promise<Descriptor> {
  const bytes = Buffer.from(JSON.stringify(value));
  const digest = blobDigest(bytes);
  await store.putBlob(digest, bytes);
  return { mediaType, digest, size: bytes.length };
}

/** The title registry UIs show: `dvol <short id>: <first line of the message>`. */
function title(c: CommitInfo): string {
  const line = c.message.split('\n')[0] ?? '';
  return `dvol ${c.id.slice(0, 12)}: ${line.length > 100 ? `${line.slice(0, 99)}…` : line}`;
}

export interface PushCommitOptions {
  commit: CommitInfo;
  /** The pushed tree; omitted for a deleted commit. */
  tree?: PushTreeResult;
  /** The commit's ancestors, newest first, with their manifest digests; given for a branch tip. */
  history?: HistoryEntry[];
  /** Moves this branch's tag to the commit, after everything else is stored. */
  branch?: string;
}

/** Stores a commit's config, history and manifest, then its tags; returns the manifest descriptor. */
export async function pushCommit(store: BlobStore, opts: PushCommitOptions): Promise<Descriptor> {
  const { commit, tree } = opts;
  if (!commit.deleted && !tree) throw new DvolError('internal', `commit '${commit.id}' has no tree to push`);
  const config: CommitConfig = { formatVersion: FORMAT_VERSION, ...commit, parents: [...commit.parents] };
  if (commit.deleted) config.deleted = true;
  else {
    config.index = tree?.index.digest;
    config.blockSize = tree?.blockSize;
  }
  const layers: Descriptor[] = [];
  if (opts.history) layers.push(await putJson(store, HISTORY_TYPE, { version: 1, commits: opts.history }));
  if (tree && !commit.deleted) layers.push(...tree.indexBlobs, ...tree.packs);
  else {
    await store.putBlob(blobDigest(EMPTY_BLOB), EMPTY_BLOB);
    layers.push({ mediaType: EMPTY_TYPE, digest: blobDigest(EMPTY_BLOB), size: EMPTY_BLOB.length });
  }
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MANIFEST_TYPE,
      artifactType: ARTIFACT_TYPE,
      config: await putJson(store, CONFIG_TYPE, config),
      layers,
      annotations: { [CREATED_ANNOTATION]: commit.date, [TITLE_ANNOTATION]: title(commit) },
    }),
  );
  if (layers.length > MAX_DESCRIPTORS || manifest.length > MANIFEST_LIMIT) {
    throw new DvolError(
      'unsupported',
      `commit '${commit.id}' needs a manifest of ${layers.length} blobs (${manifest.length} bytes), over the registry limit of 4 MiB`,
    );
  }
  const descriptor = await store.putManifest(commitTag(commit.id), MANIFEST_TYPE, manifest);
  if (opts.branch !== undefined) await store.putManifest(branchTag(opts.branch), MANIFEST_TYPE, manifest);
  return descriptor;
}

function notOurs(reference: string, why: string): DvolError {
  return new DvolError('invalid', `'${reference}' is not a dvol commit: ${why}`);
}

async function getJson(store: BlobStore, digest: string, what: string): Promise<Record<string, unknown>> {
  const bytes = await store.getBlob(digest);
  try {
    const v: unknown = JSON.parse(bytes.toString('utf8'));
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new DvolError('corrupt', `the ${what} '${digest}' is not a JSON object`);
}

/** Reads a commit by tag or manifest digest: one manifest GET, then its config (and history) blobs. */
export async function fetchCommit(store: BlobStore, reference: string): Promise<FetchedCommit> {
  const { descriptor, bytes } = await store.getManifest(reference);
  let m: { artifactType?: unknown; config?: Descriptor; layers?: Descriptor[] };
  try {
    m = JSON.parse(bytes.toString('utf8')) as typeof m;
  } catch {
    throw notOurs(reference, 'its manifest is not JSON');
  }
  if (m.artifactType !== ARTIFACT_TYPE || m.config?.mediaType !== CONFIG_TYPE || !Array.isArray(m.layers)) {
    throw notOurs(reference, `its artifact type is not '${ARTIFACT_TYPE}'`);
  }
  const config = (await getJson(store, m.config.digest, 'commit config')) as unknown as CommitConfig;
  if (config.formatVersion !== FORMAT_VERSION) {
    throw new DvolError(
      'unsupported',
      `commit '${String(config.id)}' is in remote format ${String(config.formatVersion)}, this dvol reads ${FORMAT_VERSION}`,
      'upgrade dvol',
    );
  }
  const wellFormed =
    typeof config.id === 'string' &&
    /^[0-9a-f]{40}$/.test(config.id) &&
    Array.isArray(config.parents) &&
    config.parents.every((p) => typeof p === 'string') &&
    ['message', 'author', 'date'].every(
      (k) => typeof (config as unknown as Record<string, unknown>)[k] === 'string',
    );
  if (!wellFormed) throw new DvolError('corrupt', `the config of '${reference}' is not a dvol commit config`);
  const layers = m.layers;
  const historyLayer = layers.find((l) => l.mediaType === HISTORY_TYPE);
  const history = historyLayer ? (await getJson(store, historyLayer.digest, 'history')).commits : [];
  const indexRoot = layers.find((l) => l.mediaType === INDEX_ROOT_TYPE && l.digest === config.index);
  if (!config.deleted && !indexRoot)
    throw new DvolError('corrupt', `commit '${config.id}' lists no tree index`);
  return {
    descriptor,
    config,
    history: Array.isArray(history) ? (history as HistoryEntry[]) : [],
    indexRoot,
    packs: layers.filter((l) => l.mediaType === PACK_TYPE),
  };
}

/** The tree of a pushed commit, for the next push to compare with. */
export async function loadParent(store: BlobStore, reference: string): Promise<ParentTree> {
  const c = await fetchCommit(store, reference);
  if (!c.indexRoot) throw new DvolError('not_found', `the data of commit '${c.config.id}' was deleted`);
  return { index: await loadIndex(store, c.indexRoot.digest), packs: c.packs };
}
