// Hostile requests for the server fuzz: object-key names, NUL, '..', long and quadratic refs, wrong
// types, deep nesting and huge bodies, for every route of the plugin's app, drawn from a seeded Rng.
import type { Rng } from './rng.js';

/** One request to make: where, how, and a short description to name it in a failure. */
export interface FuzzRequest {
  method: string;
  path: string;
  body: Buffer;
  what: string;
}

/** Names a container or a user might send that are keys of every plain object. */
export const OBJECT_KEYS = [
  'constructor',
  '__proto__',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  'prototype',
  '__defineGetter__',
];

/** Valid names the fuzz also creates, so hostile requests reach real volumes, branches and tags. */
export const VALID_VOLUMES = ['v0', 'v1', 'constructor', 'toString', 'valueOf'];
const VALID_REFS = ['HEAD', 'HEAD^', 'HEAD~1', 'master', 'side', 't1', 'constructor', 'toString'];

/** Hostile strings; `marker` names every path-escape attempt, so a file made by one can be found. */
export function hostileStrings(marker: string): string[] {
  return [
    ...OBJECT_KEYS,
    '',
    ' ',
    '\t',
    'a b',
    'a\nb',
    '\0',
    'a\0b',
    `${marker}\0x`,
    '.',
    '..',
    '...',
    '../..',
    `../${marker}`,
    `../../${marker}`,
    `../../../${marker}`,
    `../../../../../../../../${marker}`,
    `../../../../../../../../tmp/${marker}`,
    `/tmp/${marker}`,
    `a/../../${marker}`,
    `${marker}/..`,
    '%2e%2e',
    '%00',
    '-rf',
    '--force',
    'HEAD',
    'head',
    'é',
    '\u202eevil',
    '\u{1F4A9}',
    '\uD800',
    '\uFFFF',
    '0',
    '-1',
    '1e309',
    'a'.repeat(64),
    'a'.repeat(65),
    'a'.repeat(256),
    'a'.repeat(4096),
    '0123456789abcdef0123456789abcdef01234567',
  ];
}

/** Refs a parser must handle in linear time, or refuse quickly. */
export function hostileRefs(): string[] {
  return [
    'HEAD~999999999999999999999',
    'HEAD~-1',
    'HEAD~~~~~~~~~~',
    '^^^^',
    '~',
    '@{-1}',
    'master..side',
    'master:file',
    `a${'~'.repeat(100_000)}!`,
    `a${'^'.repeat(100_000)}!`,
    `a${'~1'.repeat(50_000)}!`,
    `HEAD${'^'.repeat(10_000)}`,
    'x'.repeat(200_000),
  ];
}

/** A string from the pools: mostly hostile, sometimes valid, sometimes a long ref. */
function str(rng: Rng, marker: string, valid: readonly string[]): string {
  const roll = rng.next();
  if (roll < 0.35 && valid.length > 0) return rng.pick(valid);
  if (roll < 0.9) return rng.pick(hostileStrings(marker));
  return rng.pick(hostileRefs());
}

/** A JSON value of any type, at most `depth` levels deep. */
function anyValue(rng: Rng, marker: string, depth = 2): unknown {
  switch (rng.int(0, 6)) {
    case 0:
      return null;
    case 1:
      return rng.pick([0, -1, 1.5, 1e308, Number.MAX_SAFE_INTEGER]);
    case 2:
      return rng.chance(0.5);
    case 3:
      return depth > 0 ? [anyValue(rng, marker, depth - 1)] : [];
    case 4:
      return depth > 0 ? Object.fromEntries([[rng.pick(OBJECT_KEYS), anyValue(rng, marker, depth - 1)]]) : {};
    default:
      return str(rng, marker, VALID_VOLUMES);
  }
}

/** A field value: usually a string from `valid` or the hostile pools, sometimes another type. */
function field(rng: Rng, marker: string, valid: readonly string[]): unknown {
  return rng.chance(0.85) ? str(rng, marker, valid) : anyValue(rng, marker);
}

/** A body for a route that expects `fields`: the right shape with hostile values, or extra keys. */
function shapedBody(rng: Rng, marker: string, fields: Record<string, readonly string[]>): string {
  const body: Record<string, unknown> = {};
  for (const [key, valid] of Object.entries(fields)) {
    if (rng.chance(0.9)) body[key] = field(rng, marker, valid);
  }
  let text = JSON.stringify(body);
  // JSON.parse makes `__proto__` an own key: a prototype pollution attempt at the parser.
  if (rng.chance(0.1))
    text = text.replace(/^\{/, `{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"x":1}},`);
  return text.replace(/,\}$/, '}');
}

/** Deeply nested arrays or objects: a stack-depth attack on the parser and the validator. */
function nested(rng: Rng): string {
  const depth = rng.pick([1_000, 10_000, 100_000]);
  return rng.chance(0.5)
    ? '['.repeat(depth) + ']'.repeat(depth)
    : '{"Name":'.repeat(depth) + '"x"' + '}'.repeat(depth);
}

/** Sizes of the huge bodies: Docker's bodies are well under a kilobyte. */
const HUGE = [2 << 20, 8 << 20, 16 << 20];

/** A body that is not what the route expects: garbage, wrong JSON types, nesting, or huge. */
function hostileBody(rng: Rng, marker: string, huge: boolean): Buffer {
  if (huge) {
    const size = rng.pick(HUGE);
    return rng.chance(0.5)
      ? Buffer.from(JSON.stringify({ Name: 'v0', message: 'a'.repeat(size), author: 'A <a@b>' }))
      : Buffer.alloc(size, rng.pick(['[', '{', 'a', ' ']));
  }
  switch (rng.int(0, 5)) {
    case 0:
      return Buffer.from(nested(rng));
    case 1:
      return Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x22, 0xc3]);
    case 2:
      return Buffer.from(rng.pick(['{', '{"Name":', 'null', '[]', '"x"', '1', 'true', '{}{}', '\0']));
    case 3:
      return Buffer.from(JSON.stringify(anyValue(rng, marker, 3)));
    default:
      return Buffer.from(JSON.stringify({ [rng.pick(OBJECT_KEYS)]: anyValue(rng, marker) }));
  }
}

/** What the fuzz knows about one route: the fields its body has and the query keys it reads. */
export interface RouteShape {
  fields?: Record<string, readonly string[]>;
  query?: Record<string, readonly string[]>;
  /** The only values a path param takes, where hostile ones must not reach it (a stream of a real volume never ends). */
  params?: Record<string, readonly string[]>;
}

const NAME = { Name: VALID_VOLUMES };
const MOUNT_IDS = ['id0', 'id1', 'a'.repeat(64), ...OBJECT_KEYS];
const AUTHORS = ['Fuzz <fuzz@example.com>', 'A <a@b>'];
const BRANCHES = ['master', 'side', 'constructor', 'toString', '__proto__', 'valueOf'];
const REMOTES = ['origin', ...OBJECT_KEYS];
/** Remotes that refuse at once: a directory that is not there, a loopback port nothing listens on. */
const REMOTE_URLS = ['/nonexistent/dvol-fuzz-remote', '127.0.0.1:1/fuzz/db', 'file:///nonexistent', 'x'];

/**
 * Every route of the app (`METHOD path` as Hono lists it) and its shape. The fuzz test checks this
 * table against the app's own route list, so a new route cannot go unfuzzed.
 */
export const ROUTES: Record<string, RouteShape> = {
  'POST /Plugin.Activate': {},
  'POST /VolumeDriver.Capabilities': {},
  'POST /VolumeDriver.Create': { fields: { ...NAME, Opts: [] } },
  'POST /VolumeDriver.Remove': { fields: NAME },
  'POST /VolumeDriver.Mount': { fields: { ...NAME, ID: MOUNT_IDS } },
  'POST /VolumeDriver.Unmount': { fields: { ...NAME, ID: MOUNT_IDS } },
  'POST /VolumeDriver.Path': { fields: NAME },
  'POST /VolumeDriver.Get': { fields: NAME },
  'POST /VolumeDriver.List': {},
  'GET /dvol/version': {},
  'GET /dvol/volumes': {},
  'POST /dvol/volumes': { fields: { name: VALID_VOLUMES, driver: ['plain', 'btrfs'], options: [] } },
  'GET /dvol/volumes/:vol': {},
  'DELETE /dvol/volumes/:vol': {},
  'GET /dvol/active': {},
  'PUT /dvol/active': { fields: { name: VALID_VOLUMES } },
  'GET /dvol/fsck': {},
  'GET /dvol/volumes/:vol/fsck': {},
  'GET /dvol/volumes/:vol/commits': { query: { ref: VALID_REFS } },
  'POST /dvol/volumes/:vol/commits': { fields: { message: ['fuzz'], author: AUTHORS } },
  'POST /dvol/volumes/:vol/commits/delete': { fields: { ref: VALID_REFS } },
  'GET /dvol/volumes/:vol/resolve': { query: { ref: VALID_REFS } },
  'POST /dvol/volumes/:vol/reset': { fields: { ref: VALID_REFS, hard: [] } },
  'GET /dvol/volumes/:vol/tags': {},
  'POST /dvol/volumes/:vol/tags': { fields: { name: ['t1', ...OBJECT_KEYS], ref: VALID_REFS } },
  'DELETE /dvol/volumes/:vol/tags/:tag': {},
  'GET /dvol/volumes/:vol/branches': {},
  'POST /dvol/volumes/:vol/checkout': { fields: { branch: BRANCHES, create: [] } },
  'DELETE /dvol/volumes/:vol/branches/:branch': { query: { force: ['1', 'true', '0'] } },
  'GET /dvol/volumes/:vol/diff': {
    query: { from: VALID_REFS, to: [...VALID_REFS, 'working'], summary: ['1', '0'] },
  },
  'GET /dvol/schedules': {},
  'POST /dvol/volumes/:vol/schedule': {
    fields: { every: ['1h', '30s', 'x'], keep: ['1d:1h', ''], keepLast: [] },
  },
  'POST /dvol/volumes/:vol/schedule/pause': {},
  'POST /dvol/volumes/:vol/schedule/resume': {},
  'DELETE /dvol/volumes/:vol/schedule': {},
  'GET /dvol/volumes/:vol/snapshots': { query: { branch: BRANCHES } },
  'GET /dvol/volumes/:vol/du': {},
  'GET /dvol/mirrors': {},
  // Only URLs refused before anything runs: a mirror of an unreachable Redis retries and logs.
  'POST /dvol/volumes/:vol/mirrors': { fields: { url: ['http://x', 'redis://', 'x'], prefix: ['p:'] } },
  'DELETE /dvol/mirrors/:id': {},
  'PUT /dvol/volumes/:vol/exclusive': { fields: { exclusive: [] } },
  // A watch of a real volume streams until the client goes: only names that are not volumes.
  'GET /dvol/volumes/:vol/events': { params: { vol: ['no-such-volume-fuzz'] } },
  'GET /dvol/remote-url': { query: { url: REMOTE_URLS } },
  'GET /dvol/volumes/:vol/remotes': {},
  'POST /dvol/volumes/:vol/remotes': { fields: { name: REMOTES, url: REMOTE_URLS } },
  'DELETE /dvol/volumes/:vol/remotes/:remote': {},
  'POST /dvol/volumes/:vol/push': { fields: { remote: REMOTES, branch: BRANCHES, force: [] } },
  'POST /dvol/volumes/:vol/fetch': { fields: { remote: REMOTES } },
  'POST /dvol/volumes/:vol/pull': { fields: { remote: REMOTES, branch: BRANCHES, stash: [] } },
  'POST /dvol/clone': { fields: { source: REMOTE_URLS, name: VALID_VOLUMES } },
};

/** A path segment or query value, percent-encoded as a client would send it. */
function encode(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    // A lone surrogate cannot be encoded: send its replacement, as a lenient client would.
    return encodeURIComponent(value.replace(/[\uD800-\uDFFF]/g, '\uFFFD'));
  }
}

/** Fills a route template's `:params` and its query keys with hostile or valid values. */
function fillPath(rng: Rng, marker: string, template: string, shape: RouteShape): string {
  const params: Record<string, readonly string[]> = {
    vol: VALID_VOLUMES,
    branch: BRANCHES,
    tag: ['t1', ...OBJECT_KEYS],
    remote: REMOTES,
    id: ['00000000', ...OBJECT_KEYS],
  };
  let path = template.replace(/:(\w+)/g, (_, p: string) => {
    const only = shape.params !== undefined && Object.hasOwn(shape.params, p) ? shape.params[p] : undefined;
    if (only !== undefined) return encode(rng.pick(only));
    const valid = Object.hasOwn(params, p) ? (params[p] ?? []) : [];
    // Node refuses to send a request line over 16 kB: long values go in bodies and queries.
    let value = str(rng, marker, valid);
    if (value.length > 4096) value = value.slice(0, 4096);
    // Now and then with its slashes raw, so `..` segments reach the router itself.
    return rng.chance(0.05) ? encode(value).replace(/%2F/g, '/') : encode(value);
  });
  const query = Object.entries(shape.query ?? {})
    .filter(() => rng.chance(0.7))
    // Node answers a request line over 16 kB with a bare 431: keep each value's encoding under 2 kB.
    .map(
      ([key, valid]) =>
        `${key}=${encode(str(rng, marker, valid))
          .slice(0, 2048)
          .replace(/%[0-9A-F]?$/, '')}`,
    );
  if (rng.chance(0.05)) query.push('ref=%zz', '__proto__=1', 'constructor=x');
  if (query.length > 0) path += `?${query.join('&')}`;
  return path;
}

/** A body for a route: mostly shaped like the real one with hostile values, sometimes garbage. */
function bodyFor(rng: Rng, marker: string, shape: RouteShape, huge: boolean): Buffer {
  if (huge || rng.chance(0.25)) return hostileBody(rng, marker, huge);
  if (!shape.fields) return Buffer.from(rng.chance(0.5) ? '' : '{}');
  const opts: Record<string, unknown> = {};
  if (Object.hasOwn(shape.fields, 'Opts') || Object.hasOwn(shape.fields, 'options')) {
    opts[rng.pick(['size', 'driver', 'compression', 'copyonwrite', ...OBJECT_KEYS])] = field(rng, marker, []);
  }
  const text = shapedBody(rng, marker, shape.fields);
  const value = JSON.parse(text) as Record<string, unknown>;
  for (const key of ['Opts', 'options', 'hard', 'create']) {
    if (!Object.hasOwn(value, key)) continue;
    value[key] = key === 'hard' || key === 'create' ? (rng.chance(0.8) ? rng.chance(0.5) : 'yes') : opts;
  }
  // Re-serialised unless it carried the own __proto__ key, which JSON.stringify would drop.
  return Buffer.from(text.includes('"__proto__"') ? text : JSON.stringify(value));
}

/** The `index`-th request of a run: a route, a method (now and then the wrong one), a path, a body. */
export function fuzzRequest(rng: Rng, marker: string, index: number, hugeEvery: number): FuzzRequest {
  const routes = Object.keys(ROUTES);
  const key = rng.chance(0.02) ? `GET /dvol/${encode(rng.pick(hostileStrings(marker)))}` : rng.pick(routes);
  const [routeMethod = 'GET', template = '/'] = key.split(' ');
  const shape = Object.hasOwn(ROUTES, key) ? (ROUTES[key] ?? {}) : {};
  const method = rng.chance(0.03)
    ? rng.pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'])
    : routeMethod;
  const huge = index % hugeEvery === hugeEvery - 1;
  const body = method === 'GET' && !huge ? Buffer.alloc(0) : bodyFor(rng, marker, shape, huge);
  const path = fillPath(rng, marker, template, shape);
  const what = `#${index} ${method} ${path.slice(0, 120)} body ${body.length} B: ${body.subarray(0, 80).toString()}`;
  return { method, path, body, what };
}
