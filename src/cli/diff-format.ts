// Text for dvol diff and dvol status: the seed's summary sentence, one line per changed path, totals.

import type { WireEntry, WireSide } from '../storage/diff-json.js';
import type { Commit, DiffTotals } from '../storage/model.js';
import { humanSize, table } from './format.js';

/** How a side of a diff is named in sentences: a commit's message, the working data, or nothing. */
export function sideName(commit: Commit | null, working: boolean): string {
  if (working) return 'latest uncommitted changes';
  if (commit === null) return 'an empty volume';
  return `"${commit.message.split('\n')[0] ?? ''}"`;
}

/** `3 added, 1 modified, 0 deleted` (type changes only when there are some). */
export function counts(t: DiffTotals): string {
  const parts = [`${t.added} added`, `${t.modified} modified`, `${t.deleted} deleted`];
  if (t.typeChanged > 0) parts.push(`${t.typeChanged} changed type`);
  return parts.join(', ');
}

/** The seed's summary, e.g. `200kB has changed between "import base schema" and latest uncommitted changes.` */
export function summaryLines(from: string, to: string, t: DiffTotals): string[] {
  const n = t.added + t.modified + t.deleted + t.typeChanged;
  if (n === 0) return [`Nothing has changed between ${from} and ${to}.`];
  return [
    `${humanSize(t.bytesChanged)} has changed between ${from} and ${to}.  Use dvol diff -v to show changed files.`,
    `${n} path${n === 1 ? '' : 's'}: ${counts(t)}.`,
  ];
}

/** `--stat`: the totals as an aligned table. */
export function statLines(t: DiffTotals): string {
  return table([
    ['added', String(t.added)],
    ['modified', String(t.modified)],
    ['deleted', String(t.deleted)],
    ['type changed', String(t.typeChanged)],
    ['bytes changed', `${humanSize(t.bytesChanged)} (${t.bytesChanged})`],
  ]);
}

/** `+1.5kB`, `-9B`, `0B`. */
export function signedSize(delta: number): string {
  const sign = delta > 0 ? '+' : delta < 0 ? '-' : '';
  return sign + humanSize(Math.abs(delta));
}

/**
 * A path quoted like git's core.quotePath when it holds control characters, quotes, backslashes or
 * bytes that are not UTF-8 (already escaped as \xNN by the API), so one entry is always one line.
 */
export function quotePath(e: Pick<WireEntry, 'path' | 'pathBase64'>): string {
  const path = e.path === '' ? '.' : e.path;
  // eslint-disable-next-line no-control-regex
  if (e.pathBase64 === undefined && !/[\x00-\x1f\x7f"\\]/.test(path)) return path;
  const escapes: Record<string, string> = { '\n': '\\n', '\t': '\\t', '"': '\\"' };
  const body = [...path]
    .map((ch) => {
      if (ch === '\\') return e.pathBase64 === undefined ? '\\\\' : ch;
      if (escapes[ch]) return escapes[ch];
      const code = ch.charCodeAt(0);
      return code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : ch;
    })
    .join('');
  return `"${body}"`;
}

const octal = (mode: number) => mode.toString(8).padStart(4, '0');

function details(e: WireEntry): string[] {
  const { from, to } = e;
  if (!from || !to) return [];
  if (e.status === 'T') return [`${from.type} -> ${to.type}`];
  const out: string[] = [];
  for (const change of e.changes) {
    if (change === 'mode') out.push(`mode ${octal(from.mode)} -> ${octal(to.mode)}`);
    else if (change === 'owner') out.push(`owner ${owner(from)} -> ${owner(to)}`);
    else if (change === 'target')
      out.push(`target ${JSON.stringify(from.target)} -> ${JSON.stringify(to.target)}`);
    else out.push(change);
  }
  return out;
}

const owner = (s: WireSide) => `${s.uid}:${s.gid}`;

/** One `-v` line: `M    +7B  schema  (content, mtime)`; directories get a trailing '/'. */
export function entryLine(e: WireEntry): string {
  const dir = (e.to ?? e.from)?.type === 'dir' && e.path !== '' ? '/' : '';
  const extra = details(e);
  return `${e.status} ${signedSize(e.sizeDelta).padStart(8)}  ${quotePath(e)}${dir}${extra.length ? `  (${extra.join(', ')})` : ''}`;
}
