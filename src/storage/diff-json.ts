// The JSON form of diff entries, shared by the /dvol API (which writes it) and the CLI (which reads
// it): raw-byte paths and symlink targets become text, with the exact bytes alongside when they are
// not UTF-8.

import type { DiffEntry, DiffStatus, EntrySide } from './drivers/diff-entry.js';

/** An EntrySide in JSON. */
export type WireSide = Omit<EntrySide, 'target'> & { target?: string; targetBase64?: string };

/** A DiffEntry in JSON. */
export interface WireEntry {
  /** The path as UTF-8 text; when the bytes are not UTF-8, bytes >= 0x80 and '\' appear as \xNN. */
  path: string;
  /** The exact path bytes, present only when `path` had to be escaped. */
  pathBase64?: string;
  status: DiffStatus;
  from?: WireSide;
  to?: WireSide;
  sizeDelta: number;
  changes: DiffEntry['changes'];
}

/** Text for raw bytes: as is when valid UTF-8, otherwise escaped, with base64 of the exact bytes. */
export function bytesToText(bytes: Buffer): { text: string; base64?: string } {
  const text = bytes.toString('utf8');
  if (Buffer.from(text, 'utf8').equals(bytes)) return { text };
  let escaped = '';
  for (const b of bytes) {
    escaped += b >= 0x80 || b === 0x5c ? `\\x${b.toString(16).padStart(2, '0')}` : String.fromCharCode(b);
  }
  return { text: escaped, base64: bytes.toString('base64') };
}

function sideToWire(side: EntrySide | undefined): WireSide | undefined {
  if (!side) return undefined;
  const { target, ...rest } = side;
  if (target === undefined) return rest;
  const { text, base64 } = bytesToText(target);
  return { ...rest, target: text, ...(base64 ? { targetBase64: base64 } : {}) };
}

/** The JSON form of one entry. */
export function entryToWire(e: DiffEntry): WireEntry {
  const { text, base64 } = bytesToText(e.path);
  const from = sideToWire(e.from);
  const to = sideToWire(e.to);
  return {
    path: text,
    ...(base64 ? { pathBase64: base64 } : {}),
    status: e.status,
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    sizeDelta: e.sizeDelta,
    changes: e.changes,
  };
}
