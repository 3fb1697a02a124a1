// Durations as users write them for schedules and retention: `30s`, `10m`, `1h`, `1d`, `2w`, or
// several at once (`1h30m`). Parsed strictly, shown back in the same notation.

import { DvolError } from '../errors.js';

const UNITS = new Map<string, number>([
  ['s', 1000],
  ['m', 60_000],
  ['h', 3_600_000],
  ['d', 86_400_000],
  ['w', 604_800_000],
]);

/** The longest duration accepted anywhere: ten years. */
const MAX_MS = 3650 * 86_400_000;

function quote(text: string): string {
  return text.length > 32 ? `'${text.slice(0, 32)}…' (${text.length} characters)` : `'${text}'`;
}

/** Milliseconds of a duration such as `10m` or `1h30m`; `what` names it in the error. */
export function parseDuration(text: string, what = 'duration'): number {
  const bad = () =>
    new DvolError(
      'invalid',
      `${quote(text)} is not a ${what}`,
      'write it like 30s, 10m, 1h, 1d or 2w (or 1h30m)',
    );
  if (text.length === 0 || text.length > 32 || !/^(\d+[smhdw])+$/.test(text)) throw bad();
  let ms = 0;
  for (const [, n, unit] of text.matchAll(/(\d+)([smhdw])/g)) {
    ms += Number(n) * (UNITS.get(unit ?? '') ?? 0);
    if (ms > MAX_MS) throw new DvolError('invalid', `${quote(text)} is longer than ten years`);
  }
  if (ms < 1000) throw new DvolError('invalid', `a ${what} must be at least 1s`);
  return ms;
}

/** The shortest notation of a duration: 90 minutes is `1h30m`. */
export function formatDuration(ms: number): string {
  let rest = Math.round(ms / 1000) * 1000;
  let out = '';
  for (const [unit, size] of [...UNITS].reverse()) {
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return out === '' ? '0s' : out;
}
