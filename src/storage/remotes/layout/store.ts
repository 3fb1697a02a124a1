// A BlobStore over a directory that is a valid OCI image layout (image-spec image-layout.md):
// `oci-layout`, `blobs/sha256/<hex>`, and `index.json` listing the tagged manifests by their
// `org.opencontainers.image.ref.name` annotation. Every file is written atomically and durably.

import { mkdir, open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readJson, writeFileAtomic } from '../../atomic.js';
import { DvolError, asDvolError } from '../../errors.js';
import {
  type BlobStore,
  type ByteRange,
  type Descriptor,
  type StoredManifest,
  checkDigest,
  checkRange,
  checkReference,
  checkTag,
  digestMismatch,
  referenceName,
  sha256Digest,
} from '../blobstore.js';
import { withLockFile } from './lock.js';

/** The annotation that names a manifest in an image layout's index.json. */
export const REF_NAME = 'org.opencontainers.image.ref.name';
const INDEX_MEDIA_TYPE = 'application/vnd.oci.image.index.v1+json';
/** Beside index.json; a dot file, so OCI tools reading the layout ignore it. */
const LOCK_NAME = '.dvol-index.lock';

interface ImageIndex {
  schemaVersion: 2;
  mediaType: string;
  manifests: Descriptor[];
}

/** Writes JSON atomically, readable by all: a directory remote is shared with other users and tools. */
async function writeJson(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n', 0o644);
}

function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ENOENT';
}

/** Opens (creating when absent) the image layout at `dir`, an absolute path. */
export async function openLayoutStore(dir: string): Promise<BlobStore> {
  try {
    await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  } catch (err) {
    throw asDvolError(err, `creating the directory remote ${dir}`);
  }
  const layout = await readJson<{ imageLayoutVersion?: unknown }>(join(dir, 'oci-layout'));
  if (layout === undefined) {
    await writeJson(join(dir, 'oci-layout'), { imageLayoutVersion: '1.0.0' });
  } else if (layout.imageLayoutVersion !== '1.0.0') {
    throw new DvolError(
      'corrupt',
      `${dir} is not an OCI image layout of version 1.0.0`,
      'point the remote at an empty directory or one dvol wrote',
    );
  }
  return new LayoutStore(dir);
}

class LayoutStore implements BlobStore {
  constructor(readonly location: string) {}

  private blobPath(digest: string): string {
    return join(this.location, 'blobs', 'sha256', checkDigest(digest));
  }

  async hasBlob(digest: string): Promise<boolean> {
    const path = this.blobPath(digest);
    return stat(path).then(
      (s) => s.isFile(),
      (err: unknown) => {
        if (isNotFound(err)) return false;
        throw asDvolError(err, `checking ${path}`);
      },
    );
  }

  async getBlob(digest: string, range?: ByteRange): Promise<Buffer> {
    const path = this.blobPath(digest);
    let handle;
    try {
      handle = await open(path, 'r');
    } catch (err) {
      if (isNotFound(err)) throw this.missing(`blob ${digest}`);
      throw asDvolError(err, `reading ${path}`);
    }
    try {
      if (range) {
        checkRange(range, (await handle.stat()).size);
        const buffer = Buffer.alloc(range.length);
        let done = 0;
        while (done < range.length) {
          const { bytesRead } = await handle.read(buffer, done, range.length - done, range.offset + done);
          if (bytesRead === 0) break;
          done += bytesRead;
        }
        return buffer.subarray(0, done);
      }
      const data = await handle.readFile();
      const actual = sha256Digest(data);
      if (actual !== digest) throw digestMismatch(digest, this.location, actual);
      return data;
    } catch (err) {
      throw asDvolError(err, `reading ${path}`);
    } finally {
      await handle.close();
    }
  }

  async putBlob(digest: string, data: Buffer): Promise<void> {
    const path = this.blobPath(digest);
    const actual = sha256Digest(data);
    if (actual !== digest) {
      throw new DvolError('corrupt', `the data given for blob ${digest} hashes to ${actual}`);
    }
    // Content-addressed: a blob that is there is the same bytes (getBlob verifies on read).
    if (await this.hasBlob(digest)) return;
    await writeFileAtomic(path, data, 0o644);
  }

  async resolve(reference: string): Promise<Descriptor | undefined> {
    if (checkReference(reference) === 'tag') {
      const entry = (await this.readIndex()).manifests.find((m) => m.annotations?.[REF_NAME] === reference);
      return entry && { mediaType: entry.mediaType, digest: entry.digest, size: entry.size };
    }
    // A manifest by digest: its media type is the one it declares (image-spec requires the field).
    if (!(await this.hasBlob(reference))) return undefined;
    const bytes = await this.getBlob(reference);
    return { mediaType: declaredMediaType(bytes), digest: reference, size: bytes.length };
  }

  async getManifest(reference: string): Promise<StoredManifest> {
    const descriptor = await this.resolve(reference);
    if (!descriptor) throw this.missing(referenceName(reference));
    return { descriptor, bytes: await this.getBlob(descriptor.digest) };
  }

  async putManifest(tag: string, mediaType: string, bytes: Buffer): Promise<Descriptor> {
    checkTag(tag);
    const descriptor = { mediaType, digest: sha256Digest(bytes), size: bytes.length };
    await this.putBlob(descriptor.digest, bytes);
    await this.updateIndex((manifests) => [
      ...manifests.filter((m) => m.annotations?.[REF_NAME] !== tag),
      { ...descriptor, annotations: { [REF_NAME]: tag } },
    ]);
    return descriptor;
  }

  async listTags(): Promise<string[]> {
    const tags = new Set<string>();
    for (const m of (await this.readIndex()).manifests) {
      const name = m.annotations?.[REF_NAME];
      if (typeof name === 'string') tags.add(name);
    }
    return [...tags].sort();
  }

  async deleteTag(tag: string): Promise<void> {
    checkTag(tag);
    await this.updateIndex((manifests) => manifests.filter((m) => m.annotations?.[REF_NAME] !== tag));
  }

  private missing(what: string): DvolError {
    return new DvolError('not_found', `${what} is not in the directory remote ${this.location}`);
  }

  private async readIndex(): Promise<ImageIndex> {
    const path = join(this.location, 'index.json');
    const index = await readJson<ImageIndex>(path);
    if (index === undefined) return { schemaVersion: 2, mediaType: INDEX_MEDIA_TYPE, manifests: [] };
    if (!Array.isArray(index.manifests)) {
      throw new DvolError('corrupt', `${path} has no manifests list`, 'restore it from a backup');
    }
    return index;
  }

  /** Read-modify-write of index.json under the lock file, so concurrent pushes lose no tag. */
  private async updateIndex(change: (manifests: Descriptor[]) => Descriptor[]): Promise<void> {
    await withLockFile(join(this.location, LOCK_NAME), async () => {
      const index = await this.readIndex();
      const manifests = change(index.manifests);
      if (
        manifests.length === index.manifests.length &&
        manifests.every((m, i) => m === index.manifests[i])
      ) {
        return;
      }
      await writeJson(join(this.location, 'index.json'), { ...index, manifests });
    });
  }
}

/** The `mediaType` a manifest declares, or the OCI image manifest type when it declares none. */
function declaredMediaType(bytes: Buffer): string {
  try {
    const parsed = JSON.parse(bytes.toString('utf8')) as { mediaType?: unknown };
    if (typeof parsed.mediaType === 'string') return parsed.mediaType;
  } catch {
    // Not JSON: still a blob the caller asked for by digest; report the default type.
  }
  return 'application/vnd.oci.image.manifest.v1+json';
}
