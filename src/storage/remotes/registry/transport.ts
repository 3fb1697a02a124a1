// HTTP(S) to one registry host on node:http/https: TLS trusting the system CAs plus Docker's
// certs.d directory, plain HTTP only where Docker allows it, keep-alive, redirects without
// leaking credentials, and network failures turned into one `unreachable` sentence each.

import { readFileSync, readdirSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import { join } from 'node:path';
import { DvolError } from '../../errors.js';

export interface HttpRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: URL;
  headers?: Record<string, string>;
  body?: Buffer;
  /** The most response bytes to accept (default 8 MiB: manifests, tag lists, tokens, errors). */
  maxBytes?: number;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** The URL that answered (after redirects): Location headers resolve against it. */
  url: URL;
}

export interface TransportOptions {
  /** Plain HTTP allowed even off loopback (the user marked the registry insecure). */
  insecure?: boolean;
  /** Docker's per-registry CA directory: `<certsDir>/<host[:port]>/*.crt`. */
  certsDir?: string;
  /** Idle time after which a request fails as unreachable. */
  timeoutMs?: number;
}

const SYSTEM_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
const MAX_REDIRECTS = 5;
/** Twice the CNCF registry's 4 MiB manifest cap: anything but a blob is smaller. */
const DEFAULT_MAX_BYTES = 8 * 1024 * 1024;
/** Errors of a TLS client talking to a plain-HTTP server: the cue to fall back where allowed. */
const NOT_TLS = new Set(['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG', 'EPROTO']);

/** Docker's rule: plain HTTP is allowed for localhost, 127.0.0.0/8 and ::1 (and insecure registries). */
export function isLoopback(host: string): boolean {
  const name = host.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
  return name === 'localhost' || name === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

/** The CAs a TLS connection to `host` trusts: Node's, the system's, and certs.d's for that host. */
function trustedCas(host: string, certsDir: string): string[] {
  const cas = [...rootCertificates];
  try {
    cas.push(readFileSync(SYSTEM_BUNDLE, 'utf8'));
  } catch {
    // No system bundle (a minimal image): Node's own roots remain.
  }
  const dir = join(certsDir, host);
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.crt'));
  } catch {
    // No directory for this host: nothing extra to trust.
  }
  for (const name of names.sort()) cas.push(readFileSync(join(dir, name), 'utf8'));
  return cas;
}

export class Transport {
  private scheme: 'https' | 'http' | undefined;
  private readonly agents = new Map<string, http.Agent>();
  private readonly plainAllowed: boolean;

  constructor(
    /** `host[:port]` of the registry. */
    readonly host: string,
    private readonly opts: TransportOptions = {},
  ) {
    this.plainAllowed = opts.insecure === true || isLoopback(host);
  }

  /** The registry's base URL, deciding the scheme on first use (HTTPS first, as Docker does). */
  async base(): Promise<URL> {
    if (!this.scheme) {
      const probe = new URL(`https://${this.host}/v2/`);
      try {
        await this.once({ method: 'GET', url: probe });
        this.scheme = 'https';
      } catch (err) {
        if (!(
          this.plainAllowed &&
          err instanceof DvolError &&
          err.cause instanceof Error &&
          isNotTls(err.cause)
        )) {
          throw err;
        }
        this.scheme = 'http';
      }
    }
    return new URL(`${this.scheme}://${this.host}`);
  }

  /** Sends a request, following redirects of GET/HEAD (dropping Authorization when the host changes). */
  async send(req: HttpRequest): Promise<HttpResponse> {
    let current = req;
    for (let hop = 0; ; hop++) {
      const res = await this.once(current);
      const location = res.headers.location;
      const redirect = [301, 302, 303, 307, 308].includes(res.status) && location !== undefined;
      if (!redirect || (req.method !== 'GET' && req.method !== 'HEAD') || hop === MAX_REDIRECTS) return res;
      const url = new URL(location, res.url);
      const headers = { ...current.headers };
      if (url.host !== req.url.host) delete headers.authorization;
      if (url.protocol !== 'https:' && !(url.host === this.host && this.plainAllowed)) {
        throw new DvolError('unreachable', `${this.host} redirected to an insecure location (${url.host})`);
      }
      current = { ...current, url, headers };
    }
  }

  /** Closes idle keep-alive connections (a store that is done). */
  close(): void {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }

  private agent(url: URL): http.Agent {
    const key = `${url.protocol}//${url.host}`;
    let agent = this.agents.get(key);
    if (!agent) {
      agent =
        url.protocol === 'https:'
          ? new https.Agent({
              keepAlive: true,
              ca: trustedCas(url.host, this.opts.certsDir ?? '/etc/docker/certs.d'),
            })
          : new http.Agent({ keepAlive: true });
      this.agents.set(key, agent);
    }
    return agent;
  }

  private once(req: HttpRequest): Promise<HttpResponse> {
    const { url } = req;
    const lib = url.protocol === 'https:' ? https : http;
    const headers: Record<string, string> = { 'user-agent': 'dvol', ...req.headers };
    if (req.body) headers['content-length'] = String(req.body.length);
    else if (req.method === 'PUT' || req.method === 'POST' || req.method === 'PATCH')
      headers['content-length'] = '0';
    return new Promise((resolve, reject) => {
      const request = lib.request(url, { method: req.method, headers, agent: this.agent(url) }, (res) => {
        const chunks: Buffer[] = [];
        const max = req.maxBytes ?? DEFAULT_MAX_BYTES;
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > max) {
            const err = new DvolError(
              'corrupt',
              `registry ${this.host} sent more than ${max} bytes for ${url.pathname}`,
            );
            reject(err);
            request.destroy(err);
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', (err) => reject(networkError(this.host, err)));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), url }),
        );
      });
      request.setTimeout(this.opts.timeoutMs ?? 60_000, () =>
        request.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })),
      );
      request.on('error', (err) => reject(networkError(this.host, err)));
      request.end(req.body);
    });
  }
}

function isNotTls(err: Error): boolean {
  return NOT_TLS.has((err as NodeJS.ErrnoException).code ?? '');
}

/** One sentence per way a registry can fail to answer; the location, never a URL with credentials. */
export function networkError(host: string, err: Error): DvolError {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  const tlsHint = `if it uses a private CA, put it in /etc/docker/certs.d/${host}/ca.crt`;
  const says: [string, string | undefined] =
    code === 'ECONNREFUSED'
      ? [
          `could not connect to registry ${host}: connection refused`,
          'check the address and that the registry runs',
        ]
      : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
        ? [`could not resolve the registry host ${host}`, 'check the name and your DNS']
        : code === 'ETIMEDOUT'
          ? [`registry ${host} did not answer in time`, 'check the network, then try again']
          : code === 'ECONNRESET' || code === 'EPIPE'
            ? [`registry ${host} closed the connection`, 'try again']
            : isNotTls(err)
              ? [`registry ${host} does not speak TLS`, 'mark it insecure if it serves plain HTTP on purpose']
              : /CERT|SELF_SIGNED|ERR_TLS|UNABLE_TO_VERIFY|ERR_SSL/.test(code)
                ? [`the TLS certificate of registry ${host} is not trusted (${code})`, tlsHint]
                : [`could not reach registry ${host}: ${code || err.message}`, undefined];
  return new DvolError('unreachable', says[0], says[1], { cause: err });
}
