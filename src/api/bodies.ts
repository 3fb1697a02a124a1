// Request bodies of the /dvol API: their types and the JSON schemas the server validates them with.
// Plain data only (the server compiles the schemas with ajv; the CLI imports the types).

/**
 * A string of at most `max` characters. The limits only bound what the server holds and echoes: the
 * storage layer checks names, refs and messages precisely (a volume name has 64 characters at most).
 */
export function text(max: number) {
  return { type: 'string', maxLength: max, description: `must be at most ${max} characters long` } as const;
}

/** Volume, branch and tag names. */
export const name = text(256);
/** Refs: a name, an id or a prefix, and a short ~N^ suffix. */
const ref = text(1024);
const bool = { type: 'boolean' } as const;
/** Driver options, as `docker volume create -o` gives them. */
export const options = { type: 'object', maxProperties: 64, additionalProperties: text(4096) } as const;

/** A /dvol body schema: unknown fields are refused, so a typo is not silently ignored. */
export interface BodySchema<T> {
  type: 'object';
  properties: Record<keyof T & string, object>;
  required: (keyof T & string)[];
  additionalProperties: false;
}

function body<T>(
  properties: Record<keyof T & string, object>,
  required: (keyof T & string)[],
): BodySchema<T> {
  return { type: 'object', properties, required, additionalProperties: false };
}

/** POST /dvol/volumes */
export interface InitBody {
  name: string;
  driver?: string;
  options?: Record<string, string>;
}
export const initBody = body<InitBody>({ name, driver: text(64), options }, ['name']);

/** PUT /dvol/active */
export interface ActiveBody {
  name: string;
}
export const activeBody = body<ActiveBody>({ name }, ['name']);

/** POST /dvol/volumes/VOL/commits */
export interface CommitBody {
  message: string;
  author: string;
}
export const commitBody = body<CommitBody>({ message: text(65_536), author: text(1024) }, [
  'message',
  'author',
]);

/** POST /dvol/volumes/VOL/commits/delete */
export interface RefBody {
  ref: string;
}
export const refBody = body<RefBody>({ ref }, ['ref']);

/** POST /dvol/volumes/VOL/checkout */
export interface CheckoutBody {
  branch: string;
  create?: boolean;
}
export const checkoutBody = body<CheckoutBody>({ branch: name, create: bool }, ['branch']);

/** POST /dvol/volumes/VOL/reset */
export interface ResetBody {
  ref: string;
  hard: boolean;
}
export const resetBody = body<ResetBody>({ ref, hard: bool }, ['ref', 'hard']);

/** POST /dvol/volumes/VOL/tags */
export interface TagBody {
  name: string;
  ref?: string;
}
export const tagBody = body<TagBody>({ name, ref }, ['name']);

/** POST /dvol/volumes/VOL/schedule; durations and rules are parsed (and refused precisely) by storage. */
export interface ScheduleBody {
  /** A duration like 30s, 10m, 1h, 1d. */
  every: string;
  /** Retention rules like 24h:1h,7d:1d; '' or absent: none. */
  keep?: string;
  /** Keep the newest N whatever the rules say; 0 or absent: none. */
  keepLast?: number;
}
export const scheduleBody = body<ScheduleBody>(
  {
    every: text(64),
    keep: text(1024),
    keepLast: {
      type: 'integer',
      minimum: 0,
      maximum: 100_000,
      description: 'must be a whole number from 0 to 100000',
    },
  },
  ['every'],
);

/** POST /dvol/volumes/VOL/mirrors */
export interface MirrorAddBody {
  /** redis://[USER:PASSWORD@]HOST:PORT[/DB] */
  url: string;
  prefix?: string;
}
export const mirrorAddBody = body<MirrorAddBody>({ url: text(4096), prefix: text(256) }, ['url']);

/** PUT /dvol/volumes/VOL/exclusive */
export interface PolicyBody {
  exclusive: boolean;
}
export const policyBody = body<PolicyBody>({ exclusive: bool }, ['exclusive']);
/**
 * Registry credentials the CLI found in the user's docker config (config.json, a credential
 * helper) and sends with one request over the CLI socket: used for that transfer only, never
 * stored, logged or echoed.
 */
export interface CredentialsBody {
  username?: string;
  password?: string;
  identityToken?: string;
  registryToken?: string;
}
const credentials = {
  type: 'object',
  properties: {
    username: text(1024),
    password: text(16_384),
    identityToken: text(16_384),
    registryToken: text(16_384),
  },
  additionalProperties: false,
} as const;

/** POST /dvol/volumes/VOL/remotes */
export interface RemoteBody {
  name: string;
  url: string;
}
export const remoteBody = body<RemoteBody>({ name, url: text(1024) }, ['name', 'url']);

/** POST /dvol/volumes/VOL/push */
export interface PushBody {
  remote?: string;
  branch?: string;
  force?: boolean;
  credentials?: CredentialsBody;
}
export const pushBody = body<PushBody>({ remote: name, branch: name, force: bool, credentials }, []);

/** POST /dvol/volumes/VOL/fetch */
export interface FetchBody {
  remote?: string;
  credentials?: CredentialsBody;
}
export const fetchBody = body<FetchBody>({ remote: name, credentials }, []);

/** POST /dvol/volumes/VOL/pull */
export interface PullBody {
  remote?: string;
  branch?: string;
  stash?: boolean;
  credentials?: CredentialsBody;
}
export const pullBody = body<PullBody>({ remote: name, branch: name, stash: bool, credentials }, []);

/** POST /dvol/clone: URL[:BRANCH] into a new volume NAME. */
export interface CloneBody {
  source: string;
  name: string;
  driver?: string;
  credentials?: CredentialsBody;
}
export const cloneBody = body<CloneBody>({ source: text(1100), name, driver: text(64), credentials }, [
  'source',
  'name',
]);
