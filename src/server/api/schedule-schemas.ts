// The JSON schema of the schedule routes' one body, compiled once at load time.

import { Ajv } from 'ajv';
import type { ScheduleRequest } from '../../api/schedule.js';

const ajv = new Ajv({ allErrors: true, strict: true, verbose: true });

/** POST /volumes/:vol/schedule; durations and rules are parsed (and refused precisely) by storage. */
export const scheduleBody = ajv.compile<ScheduleRequest>({
  type: 'object',
  properties: {
    every: { type: 'string', maxLength: 64, description: 'must be at most 64 characters long' },
    keep: { type: 'string', maxLength: 1024, description: 'must be at most 1024 characters long' },
    keepLast: {
      type: 'integer',
      minimum: 0,
      maximum: 100_000,
      description: 'must be a whole number from 0 to 100000',
    },
  },
  required: ['every'],
  additionalProperties: false,
});
