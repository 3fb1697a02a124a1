// Answers a registry's WWW-Authenticate challenge: Basic with the user's credentials, or Bearer
// tokens from the challenge's realm (distribution docs/spec/auth/token.md), per scope, renewed
// when they expire or the registry answers 401 again mid-transfer.

import { DvolError } from '../../errors.js';
import type { Credentials } from './credentials.js';
import { type Transport, isLoopback } from './transport.js';

export interface Challenge {
  scheme: 'basic' | 'bearer';
  params: Map<string, string>;
}

/** Parses the first Basic or Bearer challenge of a WWW-Authenticate header (RFC 9110 §11.6.1). */
export function parseChallenge(header: string | undefined): Challenge | undefined {
  if (!header) return undefined;
  const match = /^\s*(basic|bearer)\b\s*/i.exec(header);
  if (!match) return undefined;
  const params = new Map<string, string>();
  const param = /([a-zA-Z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]*))\s*,?\s*/y;
  param.lastIndex = match[0].length;
  for (let m = param.exec(header); m; m = param.exec(header)) {
    params.set(m[1]!.toLowerCase(), m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? ''));
  }
  return { scheme: match[1]!.toLowerCase() as Challenge['scheme'], params };
}

interface Token {
  value: string;
  expires: number;
}

/** Holds one registry's authentication state; `header(scope)` is what to send with a request. */
export class Authorizer {
  private challenge: Challenge | undefined;
  private readonly tokens = new Map<string, Promise<Token>>();
  private credentials: Promise<Credentials | undefined> | undefined;

  constructor(
    private readonly transport: Transport,
    /** How the registry is named in messages. */
    private readonly location: string,
    private readonly getCredentials: () => Promise<Credentials | undefined>,
  ) {}

  private creds(): Promise<Credentials | undefined> {
    this.credentials ??= this.getCredentials();
    return this.credentials;
  }

  /** The Authorization header for `scope`, fetching a token when the registry wants Bearer. */
  async header(scope: string): Promise<string | undefined> {
    const challenge = this.challenge;
    if (!challenge) return undefined;
    const creds = await this.creds();
    if (challenge.scheme === 'basic') {
      if (creds?.username === undefined || creds.password === undefined) return undefined;
      return `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
    }
    if (creds?.registryToken) return `Bearer ${creds.registryToken}`;
    const pending = this.tokens.get(scope);
    if (pending) {
      // Shared by concurrent requests (parallel uploads ask once); renewed once it expires or failed.
      const cached = await pending.catch(() => undefined);
      if (cached && cached.expires > Date.now()) return `Bearer ${cached.value}`;
      if (this.tokens.get(scope) === pending) this.tokens.delete(scope);
      return this.header(scope);
    }
    const token = this.fetchToken(challenge, scope, creds);
    this.tokens.set(scope, token);
    token.catch(() => this.tokens.get(scope) === token && this.tokens.delete(scope));
    return `Bearer ${(await token).value}`;
  }

  /**
   * Called on a 401: takes the new challenge and drops cached tokens so the next `header` asks
   * again. Returns false when retrying cannot help (the same credentials were just refused).
   */
  async renew(
    wwwAuthenticate: string | undefined,
    scope: string,
    sent: string | undefined,
  ): Promise<boolean> {
    const challenge = parseChallenge(wwwAuthenticate);
    if (!challenge) return false;
    const had = this.challenge;
    this.challenge = challenge;
    // Drop only the token that was refused: a concurrent request may already hold a fresh one.
    const pending = this.tokens.get(scope);
    if (pending && sent !== undefined) {
      const cached = await pending.catch(() => undefined);
      if ((!cached || sent === `Bearer ${cached.value}`) && this.tokens.get(scope) === pending)
        this.tokens.delete(scope);
    }
    if (challenge.scheme === 'basic') return sent === undefined && (await this.header(scope)) !== undefined;
    // A bearer that was sent may have expired mid-transfer: one fresh token is worth a try.
    return sent === undefined || had?.scheme === 'bearer';
  }

  /** The `denied` error after the registry refused us (status 401 or 403). */
  async denied(status: number, repository: string): Promise<DvolError> {
    const creds = await this.creds();
    const login = `docker login ${this.location}`;
    if (status === 403) {
      return new DvolError(
        'denied',
        `registry ${this.location} denied access to '${repository}'`,
        'check your permissions on it',
      );
    }
    return creds
      ? new DvolError(
          'denied',
          `registry ${this.location} refused the credentials for '${repository}'`,
          `check them with '${login}'`,
        )
      : new DvolError(
          'denied',
          `registry ${this.location} requires credentials for '${repository}'`,
          `log in with '${login}'`,
        );
  }

  private async fetchToken(
    challenge: Challenge,
    scope: string,
    creds: Credentials | undefined,
  ): Promise<Token> {
    const realm = challenge.params.get('realm');
    let url: URL;
    try {
      url = new URL(realm ?? '');
    } catch {
      throw new DvolError('denied', `registry ${this.location} sent an unusable token realm`);
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.host))) {
      // Credentials travel to the realm: never in the clear off this machine.
      throw new DvolError(
        'denied',
        `registry ${this.location} asks for credentials over plain HTTP (${url.host})`,
      );
    }
    const service = challenge.params.get('service');
    const scopes = scope.split(' ');
    const headers: Record<string, string> = {};
    let res;
    if (creds?.identityToken) {
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: creds.identityToken,
        client_id: 'dvol',
      });
      if (service) form.set('service', service);
      form.set('scope', scope);
      headers['content-type'] = 'application/x-www-form-urlencoded';
      res = await this.transport.send({ method: 'POST', url, headers, body: Buffer.from(form.toString()) });
    } else {
      if (service) url.searchParams.set('service', service);
      for (const s of scopes) url.searchParams.append('scope', s);
      if (creds?.username !== undefined && creds.password !== undefined) {
        headers.authorization = `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
      }
      res = await this.transport.send({ method: 'GET', url, headers });
    }
    if (res.status === 401 || res.status === 403)
      throw await this.denied(401, scopes[0]!.split(':')[1] ?? '');
    if (res.status !== 200) {
      throw new DvolError('denied', `the token service of registry ${this.location} answered ${res.status}`);
    }
    const body = JSON.parse(res.body.toString('utf8')) as {
      token?: unknown;
      access_token?: unknown;
      expires_in?: unknown;
    };
    const value = typeof body.token === 'string' ? body.token : body.access_token;
    if (typeof value !== 'string' || value === '') {
      throw new DvolError('denied', `the token service of registry ${this.location} sent no token`);
    }
    // The spec's default lifetime is 60 s; renew 10 s early so a request never starts on a dying token.
    const seconds = typeof body.expires_in === 'number' && body.expires_in >= 60 ? body.expires_in : 60;
    return { value, expires: Date.now() + (seconds - 10) * 1000 };
  }
}
