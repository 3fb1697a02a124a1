// A token service for the test registry (distribution docs/spec/auth/token.md): checks Basic
// credentials, grants the asked actions to a known user and nothing to anyone else, and signs
// ES256 JWTs with a key whose certificate the registry trusts (its `rootcertbundle`).

import { execFileSync } from 'node:child_process';
import { createPrivateKey, randomUUID, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import type { Test } from 'tap';

export interface TokenServer {
  realm: string;
  service: string;
  issuer: string;
  /** The certificate of the signing key, for the registry's `rootcertbundle`. */
  certPath: string;
  /** Every scope asked for, in order, with whether credentials came along. */
  requests: { scope: string; user?: string }[];
  /** How many of the next tokens to issue already expired (while claiming a long life). */
  staleNext: number;
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

export async function startTokenServer(
  t: Test,
  dir: string,
  users: { username: string; password: string }[],
): Promise<TokenServer> {
  const keyPath = join(dir, 'token.key');
  const certPath = join(dir, 'token.crt');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyPath,
      '-out',
      certPath,
      '-days',
      '2',
      '-subj',
      '/CN=dvol test token signer',
    ],
    { stdio: 'ignore' },
  );
  const key = createPrivateKey(readFileSync(keyPath));
  const der = Buffer.from(readFileSync(certPath, 'utf8').replace(/-----[^-]+-----|\s/g, ''), 'base64');
  const state: Omit<TokenServer, 'realm'> = {
    service: 'dvol-test',
    issuer: 'dvol-test-issuer',
    certPath,
    requests: [],
    staleNext: 0,
  };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const [user, ...rest] = basic ? Buffer.from(basic, 'base64').toString().split(':') : [];
    const known = users.some((u) => u.username === user && u.password === rest.join(':'));
    if (basic && !known) return void res.writeHead(401).end('{"details":"incorrect username or password"}');
    const scopes = url.searchParams.getAll('scope');
    for (const scope of scopes) state.requests.push({ scope, user: known ? user : undefined });
    const access = known
      ? scopes.map((s) => {
          const [type, name, actions] = s.split(':');
          return { type, name, actions: (actions ?? '').split(',') };
        })
      : [];
    const now = Math.floor(Date.now() / 1000);
    // The registry allows 60 s of clock skew: a stale token is well past that.
    const exp = state.staleNext > 0 ? now - 300 : now + 300;
    if (state.staleNext > 0) state.staleNext--;
    const header = { typ: 'JWT', alg: 'ES256', x5c: [der.toString('base64')] };
    const claims = {
      iss: state.issuer,
      sub: user ?? '',
      aud: state.service,
      exp,
      nbf: now - 600,
      iat: now - 600,
      jti: randomUUID(),
      access,
    };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ token: `${input}.${b64url(signature)}`, expires_in: 300 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => server.close());
  const port = (server.address() as { port: number }).port;
  return Object.assign(state, { realm: `http://127.0.0.1:${port}/token` });
}
