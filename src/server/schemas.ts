// JSON schemas of every request body, compiled once at load time.

import { Ajv } from 'ajv';
import * as api from '../api/bodies.js';
import { name, text } from '../api/bodies.js';

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
  Opts: { ...api.options, type: ['object', 'null'] },
});
/** List and Capabilities send `{}`: anything that is an object is fine. */
export const dockerEmpty = docker<object>({});

/** The /dvol bodies (src/api/bodies.ts, shared with the CLI), compiled. */
export const initBody = ajv.compile<api.InitBody>(api.initBody);
export const activeBody = ajv.compile<api.ActiveBody>(api.activeBody);
export const commitBody = ajv.compile<api.CommitBody>(api.commitBody);
export const refBody = ajv.compile<api.RefBody>(api.refBody);
export const checkoutBody = ajv.compile<api.CheckoutBody>(api.checkoutBody);
export const resetBody = ajv.compile<api.ResetBody>(api.resetBody);
export const tagBody = ajv.compile<api.TagBody>(api.tagBody);
export const scheduleBody = ajv.compile<api.ScheduleBody>(api.scheduleBody);
export const mirrorAddBody = ajv.compile<api.MirrorAddBody>(api.mirrorAddBody);
export const policyBody = ajv.compile<api.PolicyBody>(api.policyBody);
export const remoteBody = ajv.compile<api.RemoteBody>(api.remoteBody);
export const pushBody = ajv.compile<api.PushBody>(api.pushBody);
export const fetchBody = ajv.compile<api.FetchBody>(api.fetchBody);
export const pullBody = ajv.compile<api.PullBody>(api.pullBody);
export const cloneBody = ajv.compile<api.CloneBody>(api.cloneBody);
