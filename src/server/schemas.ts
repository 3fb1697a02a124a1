// JSON schemas of every request body, compiled once at load time.

import { Ajv } from 'ajv';

// verbose: an error carries its schema, whose `description` is the sentence a refused value gets.
const ajv = new Ajv({ allErrors: true, strict: true, verbose: true });

/** Docker's bodies may gain fields in new engines: required fields are checked, extra ones ignored. */
function docker<T>(properties: Record<string, object>) {
  return ajv.compile<T>({
    type: 'object',
    properties,
    required: Object.keys(properties).filter((k) => k !== 'Opts'),
    additionalProperties: true,
  });
}

/** /dvol bodies are ours: unknown fields are refused so a typo is not silently ignored. */
function dvol<T>(properties: Record<string, object>, required: (keyof T & string)[]) {
  return ajv.compile<T>({ type: 'object', properties, required, additionalProperties: false });
}

const bool = { type: 'boolean' } as const;

/**
 * A string of at most `max` characters. The limits only bound what the server holds and echoes: the
 * storage layer checks names, refs and messages precisely (a volume name has 64 characters at most).
 */
function text(max: number) {
  return { type: 'string', maxLength: max, description: `must be at most ${max} characters long` } as const;
}

/** Volume, branch and tag names. */
const name = text(256);
/** Refs: a name, an id or a prefix, and a short ~N^ suffix. */
const ref = text(1024);
/** Docker's mount IDs are 64 hex digits; anything made of safe characters is accepted. */
const mountId = {
  type: 'string',
  pattern: '^[A-Za-z0-9_.-]{1,128}$',
  description: "must be 1 to 128 letters, digits, '_', '.' or '-' (Docker sends 64 hex digits)",
} as const;

export interface NameBody {
  Name: string;
}
export interface CreateBody extends NameBody {
  Opts?: Record<string, string> | null;
}
export interface MountBody extends NameBody {
  ID: string;
}

export const dockerName = docker<NameBody>({ Name: name });
export const dockerMount = docker<MountBody>({ Name: name, ID: mountId });
/** Any ID Mount refused was never mounted: unmounting it is a no-op, so only its length is capped. */
export const dockerUnmount = docker<MountBody>({ Name: name, ID: text(1024) });
export const dockerCreate = docker<CreateBody>({
  Name: name,
  Opts: { type: ['object', 'null'], maxProperties: 64, additionalProperties: text(4096) },
});
/** List and Capabilities send `{}`: anything that is an object is fine. */
export const dockerEmpty = docker<object>({});

export interface InitBody {
  name: string;
  driver?: string;
  options?: Record<string, string>;
}
export const initBody = dvol<InitBody>(
  {
    name,
    driver: text(64),
    options: { type: 'object', maxProperties: 64, additionalProperties: text(4096) },
  },
  ['name'],
);

export interface ActiveBody {
  name: string;
}
export const activeBody = dvol<ActiveBody>({ name }, ['name']);

export interface CommitBody {
  message: string;
  author: string;
}
export const commitBody = dvol<CommitBody>({ message: text(65_536), author: text(1024) }, [
  'message',
  'author',
]);

export interface RefBody {
  ref: string;
}
export const refBody = dvol<RefBody>({ ref }, ['ref']);

export interface CheckoutBody {
  branch: string;
  create?: boolean;
}
export const checkoutBody = dvol<CheckoutBody>({ branch: name, create: bool }, ['branch']);

export interface ResetBody {
  ref: string;
  hard: boolean;
}
export const resetBody = dvol<ResetBody>({ ref, hard: bool }, ['ref', 'hard']);

export interface TagBody {
  name: string;
  ref?: string;
}
export const tagBody = dvol<TagBody>({ name, ref }, ['name']);
