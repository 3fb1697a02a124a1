// A BlobStore over one repository of an OCI registry (distribution-spec): blobs by HEAD/GET (with
// Range) and uploaded the way `docker push` does, manifests by tag, the paginated tag list.

import { DvolError } from '../../errors.js';
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
import type { RemoteUrl } from '../url.js';
import { RegistryClient, header } from './client.js';
import { type CredentialOptions, type Credentials, lookupCredentials } from './credentials.js';
import type { HttpResponse, TransportOptions } from './transport.js';

export interface RegistryStoreOptions extends TransportOptions, CredentialOptions {
  /** Credentials to use instead of looking them up in config.json (null: anonymous). */
  credentials?: Credentials | null;
  /** Tags asked for per page of the tag list (registries cap it; Docker Hub at 100). */
  tagPageSize?: number;
}

type RegistryUrl = Extract<RemoteUrl, { kind: 'registry' }>;

/** What we accept as a manifest: OCI and Docker image manifests and indexes. */
const ACCEPT = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');
const OCTETS = 'application/octet-stream';
/** Statuses with which a registry refuses a streamed PATCH; then the blob goes as one PUT. */
const PATCH_REFUSED = new Set([400, 405, 411, 415, 416, 501]);

/** A store for the registry repository `url` (from parseRemoteUrl). */
export function openRegistryStore(url: RegistryUrl, opts: RegistryStoreOptions = {}): RegistryStore {
  const getCredentials = async () =>
    opts.credentials !== undefined
      ? (opts.credentials ?? undefined)
      : lookupCredentials(url.credentialKey, opts);
  return new RegistryStore(
    url,
    new RegistryClient(url.registry, url.repository, url.location.split('/')[0]!, getCredentials, opts),
    opts.tagPageSize ?? 100,
  );
}

export class RegistryStore implements BlobStore {
  readonly location: string;

  constructor(
    url: RegistryUrl,
    private readonly client: RegistryClient,
    private readonly pageSize: number,
  ) {
    this.location = url.location;
  }

  /** Closes the store's idle connections. */
  close(): void {
    this.client.transport.close();
  }

  async hasBlob(digest: string): Promise<boolean> {
    checkDigest(digest);
    const res = await this.client.call(
      { method: 'HEAD', url: await this.client.url(`blobs/${digest}`) },
      this.client.scope(false),
    );
    if (res.status === 200) return true;
    if (res.status === 404) return false;
    throw this.client.fail(res, `checking blob ${digest}`);
  }

  async getBlob(digest: string, range?: ByteRange): Promise<Buffer> {
    checkDigest(digest);
    if (range) checkRange(range);
    if (range?.length === 0) {
      if (!(await this.hasBlob(digest))) throw this.missing(`blob ${digest}`);
      return Buffer.alloc(0);
    }
    const headers: Record<string, string> = range
      ? { range: `bytes=${range.offset}-${range.offset + range.length - 1}` }
      : {};
    const res = await this.client.call(
      { method: 'GET', url: await this.client.url(`blobs/${digest}`), headers, maxBytes: Infinity },
      this.client.scope(false),
    );
    if (res.status === 404) throw this.missing(`blob ${digest}`);
    if (range) return this.ranged(res, digest, range);
    if (res.status !== 200) throw this.client.fail(res, `reading blob ${digest}`);
    const actual = sha256Digest(res.body);
    if (actual !== digest) throw digestMismatch(digest, this.location, actual);
    return res.body;
  }

  private ranged(res: HttpResponse, digest: string, range: ByteRange): Buffer {
    if (res.status === 416) checkRange(range, sizeOfRange(res));
    let body: Buffer;
    if (res.status === 206) body = res.body;
    else if (res.status === 200) body = res.body.subarray(range.offset, range.offset + range.length);
    else throw this.client.fail(res, `reading blob ${digest}`);
    // A server clamps a range that runs past the end: that is a range outside the blob.
    if (body.length !== range.length) checkRange(range, sizeOfRange(res) ?? range.offset + body.length);
    return body;
  }

  async putBlob(digest: string, data: Buffer): Promise<void> {
    await this.upload(digest, data);
  }

  /**
   * Puts a blob, first asking the registry to mount it from the sibling repository `from` (a
   * volume cloned from there already has most packs in it): no bytes move when it is there.
   */
  async putBlobMounted(digest: string, data: Buffer, from: string): Promise<void> {
    await this.upload(digest, data, from);
  }

  /** Mounts `digest` from repository `from` without data; false when the registry did not. */
  async mountBlob(digest: string, from: string): Promise<boolean> {
    checkDigest(digest);
    const started = await this.startUpload(digest, from);
    if (started === 'mounted') return true;
    // An upload session we will not use: cancel it so the registry can free it at once.
    await this.client.call({ method: 'DELETE', url: started }, this.pushScope(from)).catch(() => undefined);
    return false;
  }

  private pushScope(from?: string): string {
    return from === undefined ? this.client.scope(true) : this.client.scope(true, `repository:${from}:pull`);
  }

  private async upload(digest: string, data: Buffer, from?: string): Promise<void> {
    checkDigest(digest);
    const actual = sha256Digest(data);
    if (actual !== digest)
      throw new DvolError('corrupt', `the data given for blob ${digest} hashes to ${actual}`);
    if (from === undefined && (await this.hasBlob(digest))) return;
    const scope = this.pushScope(from);
    let location = await this.startUpload(digest, from);
    if (location === 'mounted') return;
    if (data.length > 0) {
      // docker push: the whole blob in one PATCH, then a PUT that names the digest.
      const patch = await this.client.call(
        { method: 'PATCH', url: location, headers: { 'content-type': OCTETS }, body: data },
        scope,
      );
      if (patch.status === 202) {
        location = await this.locationOf(patch);
      } else if (PATCH_REFUSED.has(patch.status)) {
        await this.client.call({ method: 'DELETE', url: location }, scope).catch(() => undefined);
        const fresh = await this.startUpload(digest);
        if (fresh === 'mounted') return;
        return this.finish(fresh, digest, scope, data);
      } else {
        throw this.client.fail(patch, `uploading blob ${digest}`);
      }
    }
    await this.finish(location, digest, scope);
  }

  private async finish(location: URL, digest: string, scope: string, body?: Buffer): Promise<void> {
    const url = new URL(location);
    url.searchParams.append('digest', digest);
    const res = await this.client.call(
      { method: 'PUT', url, headers: { 'content-type': OCTETS }, body },
      scope,
    );
    if (res.status !== 201 && res.status !== 204) throw this.client.fail(res, `uploading blob ${digest}`);
  }

  /** POST an upload session (or a mount); the session's URL, or 'mounted'. */
  private async startUpload(digest: string, from?: string): Promise<URL | 'mounted'> {
    const url = await this.client.url('blobs/uploads/');
    if (from !== undefined) {
      url.searchParams.set('mount', digest);
      url.searchParams.set('from', from);
    }
    const res = await this.client.call({ method: 'POST', url }, this.pushScope(from));
    if (res.status === 201 && from !== undefined) return 'mounted';
    if (res.status !== 202) throw this.client.fail(res, `starting the upload of blob ${digest}`);
    return this.locationOf(res);
  }

  private async locationOf(res: HttpResponse): Promise<URL> {
    const location = header(res, 'location');
    if (!location) throw this.client.fail(res, 'an upload (no Location)');
    // Used verbatim, resolved against the URL that answered: it may carry state in its query.
    return new URL(location, res.url);
  }

  async resolve(reference: string): Promise<Descriptor | undefined> {
    checkReference(reference);
    const res = await this.client.call(
      { method: 'HEAD', url: await this.client.url(`manifests/${reference}`), headers: { accept: ACCEPT } },
      this.client.scope(false),
    );
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw this.client.fail(res, `resolving '${reference}'`);
    const digest = header(res, 'docker-content-digest');
    const size = Number(header(res, 'content-length'));
    if (!digest || !/^sha256:[a-f0-9]{64}$/.test(digest) || !Number.isSafeInteger(size)) {
      throw new DvolError(
        'corrupt',
        `registry ${this.location} answered '${reference}' without a digest and size`,
      );
    }
    return { mediaType: (header(res, 'content-type') ?? '').split(';')[0]!.trim(), digest, size };
  }

  async getManifest(reference: string): Promise<StoredManifest> {
    const kind = checkReference(reference);
    const res = await this.client.call(
      { method: 'GET', url: await this.client.url(`manifests/${reference}`), headers: { accept: ACCEPT } },
      this.client.scope(false),
    );
    if (res.status === 404) throw this.missing(referenceName(reference));
    if (res.status !== 200) throw this.client.fail(res, `reading '${reference}'`);
    const digest = sha256Digest(res.body);
    const claimed = kind === 'digest' ? reference : header(res, 'docker-content-digest');
    if (claimed !== undefined && claimed !== digest) throw digestMismatch(claimed, this.location, digest);
    const mediaType = (header(res, 'content-type') ?? '').split(';')[0]!.trim();
    return { descriptor: { mediaType, digest, size: res.body.length }, bytes: res.body };
  }

  async putManifest(tag: string, mediaType: string, bytes: Buffer): Promise<Descriptor> {
    checkTag(tag);
    const res = await this.client.call(
      {
        method: 'PUT',
        url: await this.client.url(`manifests/${tag}`),
        headers: { 'content-type': mediaType },
        body: bytes,
      },
      this.client.scope(true),
    );
    if (res.status !== 201) throw this.client.fail(res, `tagging '${tag}'`);
    const digest = sha256Digest(bytes);
    const stored = header(res, 'docker-content-digest');
    if (stored !== undefined && stored !== digest) {
      throw new DvolError(
        'corrupt',
        `registry ${this.location} stored '${tag}' as ${stored}, not the ${digest} sent`,
      );
    }
    return { mediaType, digest, size: bytes.length };
  }

  async listTags(): Promise<string[]> {
    const tags: string[] = [];
    let url: URL | undefined = await this.client.url(`tags/list?n=${this.pageSize}`);
    for (let pages = 0; url; pages++) {
      const res = await this.client.call({ method: 'GET', url }, this.client.scope(false));
      // A repository nothing was pushed to yet has no tag list: that is an empty list.
      if (res.status === 404 && pages === 0) return [];
      if (res.status !== 200) throw this.client.fail(res, 'listing tags');
      const body = JSON.parse(res.body.toString('utf8')) as { tags?: unknown };
      if (Array.isArray(body.tags)) tags.push(...body.tags.filter((x): x is string => typeof x === 'string'));
      url = nextPage(res);
      if (pages > 100_000)
        throw new DvolError('corrupt', `registry ${this.location} sent an endless tag list`);
    }
    return [...new Set(tags)].sort();
  }

  async deleteTag(tag: string): Promise<void> {
    checkTag(tag);
    if ((await this.resolve(tag)) === undefined) return;
    const res = await this.client.call(
      { method: 'DELETE', url: await this.client.url(`manifests/${tag}`) },
      this.client.scope(true, `repository:${this.client.repository}:delete`),
    );
    if (res.status === 202 || res.status === 200 || res.status === 404) return;
    // distribution 2.x refuses a tag here (it deletes manifests by digest only, with all their tags).
    if (res.status === 400 || res.status === 405 || res.status === 501) {
      throw new DvolError('unsupported', `registry ${this.location} cannot delete the tag '${tag}' alone`);
    }
    throw this.client.fail(res, `deleting the tag '${tag}'`);
  }

  private missing(what: string): DvolError {
    return new DvolError('not_found', `${what} is not in the registry repository ${this.location}`);
  }
}

/** The total size from a `Content-Range: bytes a-b/size` (also for a 416 answer) header. */
function sizeOfRange(res: HttpResponse): number | undefined {
  const match = /\/(\d+)\s*$/.exec(header(res, 'content-range') ?? '');
  return match ? Number(match[1]) : undefined;
}

/** The next page of a tag list from its `Link: <url>; rel="next"` header. */
function nextPage(res: HttpResponse): URL | undefined {
  const link = header(res, 'link');
  const match = link ? /<([^>]*)>\s*;\s*rel="?next"?/.exec(link) : null;
  return match ? new URL(match[1]!, res.url) : undefined;
}
