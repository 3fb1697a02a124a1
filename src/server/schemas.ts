// JSON schemas of every request body, compiled once at load time.

import { Ajv } from 'ajv';

const ajv = new Ajv({ allErrors: true, strict: true });

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

const str = { type: 'string' } as const;
const bool = { type: 'boolean' } as const;

export interface NameBody {
  Name: string;
}
export interface CreateBody extends NameBody {
  Opts?: Record<string, string> | null;
}
export interface MountBody extends NameBody {
  ID: string;
}

export const dockerName = docker<NameBody>({ Name: str });
export const dockerMount = docker<MountBody>({ Name: str, ID: str });
export const dockerCreate = docker<CreateBody>({
  Name: str,
  Opts: { type: ['object', 'null'], additionalProperties: { type: 'string' } },
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
    name: str,
    driver: str,
    options: { type: 'object', additionalProperties: str },
  },
  ['name'],
);

export interface ActiveBody {
  name: string;
}
export const activeBody = dvol<ActiveBody>({ name: str }, ['name']);

export interface CommitBody {
  message: string;
  author: string;
}
export const commitBody = dvol<CommitBody>({ message: str, author: str }, ['message', 'author']);

export interface RefBody {
  ref: string;
}
export const refBody = dvol<RefBody>({ ref: str }, ['ref']);

export interface CheckoutBody {
  branch: string;
  create?: boolean;
}
export const checkoutBody = dvol<CheckoutBody>({ branch: str, create: bool }, ['branch']);

export interface ResetBody {
  ref: string;
  hard: boolean;
}
export const resetBody = dvol<ResetBody>({ ref: str, hard: bool }, ['ref', 'hard']);

export interface TagBody {
  name: string;
  ref?: string;
}
export const tagBody = dvol<TagBody>({ name: str, ref: str }, ['name']);
