// One repository's distribution API (/v2/<name>/...): requests with authentication and one retry
// after a 401, and registry answers turned into DvolErrors with one sentence each.

import { DvolError } from '../../errors.js';
import { Authorizer } from './auth.js';
import type { Credentials } from './credentials.js';
import { type HttpRequest, type HttpResponse, Transport, type TransportOptions } from './transport.js';

/** Renewals of authentication one request may need: a first challenge, then an expired token. */
const MAX_RENEWALS = 2;

export class RegistryClient {
  readonly transport: Transport;
  private readonly auth: Authorizer;

  constructor(
    readonly host: string,
    readonly repository: string,
    /** How the registry host is named in messages (`docker.io` for Docker Hub). */
    readonly hostLocation: string,
    getCredentials: () => Promise<Credentials | undefined>,
    opts: TransportOptions = {},
  ) {
    this.transport = new Transport(host, opts);
    this.auth = new Authorizer(this.transport, hostLocation, getCredentials);
  }

  /** `repository:<name>:pull` or `...:pull,push`, plus extra scopes (a mount's source repository). */
  scope(push: boolean, ...extra: string[]): string {
    return [`repository:${this.repository}:${push ? 'pull,push' : 'pull'}`, ...extra].join(' ');
  }

  /** A URL under /v2/<name>/ (or an absolute one, as a Location header gives). */
  async url(path: string): Promise<URL> {
    const base = await this.transport.base();
    return new URL(
      path.startsWith('/') || /^https?:/.test(path) ? path : `/v2/${this.repository}/${path}`,
      base,
    );
  }

  /** Sends `req` with authentication for `scope`; a 401 renews it and retries; 401/403 at the end is `denied`. */
  async call(req: HttpRequest, scope: string): Promise<HttpResponse> {
    for (let renewals = 0; ; renewals++) {
      const authorization = await this.auth.header(scope);
      const headers = { ...req.headers, ...(authorization ? { authorization } : {}) };
      const res = await this.transport.send({ ...req, headers });
      if (res.status === 403) throw await this.auth.denied(403, this.repository);
      if (res.status !== 401) return res;
      const retry =
        renewals < MAX_RENEWALS &&
        (await this.auth.renew(header(res, 'www-authenticate'), scope, authorization));
      if (!retry) throw await this.auth.denied(401, this.repository);
    }
  }

  /** The error for an answer the caller did not expect, from its status and OCI error body. */
  fail(res: HttpResponse, doing: string): DvolError {
    const { code, message } = ociError(res);
    const where = `registry ${this.hostLocation}`;
    const detail = code ? `${code}${message ? `: ${message}` : ''}` : `HTTP ${res.status}`;
    if (res.status === 404)
      return new DvolError('not_found', `${doing}: not found in ${where}/${this.repository}`);
    if (res.status === 405 || code === 'UNSUPPORTED') {
      return new DvolError('unsupported', `${where} does not support ${doing}`);
    }
    if (res.status === 413) {
      return new DvolError(
        'invalid',
        `${where} refused ${doing}: too large`,
        'a proxy in front of it may limit body sizes',
      );
    }
    if (res.status === 416)
      return new DvolError('invalid', `${doing}: the byte range is not inside the blob`);
    if (code === 'DIGEST_INVALID')
      return new DvolError('corrupt', `${where} refused ${doing}: the digest does not match`);
    if (res.status === 429) {
      return new DvolError(
        'unreachable',
        `${where} is rate-limiting requests (${doing})`,
        'wait a while, or log in',
      );
    }
    if (res.status >= 500)
      return new DvolError('unreachable', `${where} failed while ${doing} (${detail})`, 'try again later');
    if (res.status === 400) return new DvolError('invalid', `${where} refused ${doing} (${detail})`);
    return new DvolError('internal', `${where} answered ${doing} unexpectedly (${detail})`);
  }
}

/** A response header as one string (node joins repeated ones into an array for a few names). */
export function header(res: HttpResponse, name: string): string | undefined {
  const value = res.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function ociError(res: HttpResponse): { code?: string; message?: string } {
  try {
    const body = JSON.parse(res.body.subarray(0, 64 * 1024).toString('utf8')) as {
      errors?: { code?: unknown; message?: unknown }[];
    };
    const first = Array.isArray(body.errors) ? body.errors[0] : undefined;
    const str = (v: unknown) => (typeof v === 'string' ? v.slice(0, 200) : undefined);
    return { code: str(first?.code), message: str(first?.message) };
  } catch {
    return {};
  }
}
