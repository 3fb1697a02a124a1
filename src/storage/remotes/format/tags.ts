// Refs as registry tags. A branch's tag is its name, reversibly encoded into the tag alphabet
// [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}; a commit's tag is `_c.<id>`, which no branch encodes to.
// Encoding (bytes of the UTF-8 name): letters and digits stay; '.' and '-' stay except first;
// '_' becomes '__'; any other byte becomes '_' and two lowercase hex digits. So `master` → `master`,
// `fix_1` → `fix__1`, `.hidden` → `_2ehidden`, `a/b` → `a_2fb`, `é` → `_c3_a9`.

import { TAG_PATTERN } from '../blobstore.js';
import { DvolError } from '../../errors.js';

const COMMIT_PREFIX = '_c.';
const COMMIT_ID = /^[0-9a-f]{40}$/;

const isAlnum = (b: number) =>
  (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);

/** The tag of a branch tip; 'invalid' when the encoded name exceeds the 128 characters a tag may have. */
export function branchTag(branch: string): string {
  if (branch === '') throw new DvolError('invalid', 'a branch name is empty');
  let tag = '';
  for (const [i, b] of Buffer.from(branch, 'utf8').entries()) {
    if (isAlnum(b) || (i > 0 && (b === 0x2e || b === 0x2d))) tag += String.fromCharCode(b);
    else if (b === 0x5f) tag += '__';
    else tag += `_${b.toString(16).padStart(2, '0')}`;
  }
  if (tag.length > 128) {
    throw new DvolError(
      'invalid',
      `branch '${branch.slice(0, 80)}' is too long for a registry tag (${tag.length} of 128 characters encoded)`,
      'push it under a shorter name',
    );
  }
  return tag;
}

/** The immutable tag of a commit. */
export function commitTag(id: string): string {
  if (!COMMIT_ID.test(id)) throw new DvolError('invalid', `invalid commit id '${id.slice(0, 80)}'`);
  return COMMIT_PREFIX + id;
}

/** What a tag names: a branch, a commit, or (for tags not ours or not canonical) nothing. */
export type ParsedTag = { kind: 'branch'; name: string } | { kind: 'commit'; id: string } | undefined;

/** Decodes a tag; only canonical encodings decode, so a ref has exactly one tag. Linear time. */
export function parseTag(tag: string): ParsedTag {
  if (!TAG_PATTERN.test(tag)) return undefined;
  if (tag.startsWith(COMMIT_PREFIX)) {
    const id = tag.slice(COMMIT_PREFIX.length);
    return COMMIT_ID.test(id) ? { kind: 'commit', id } : undefined;
  }
  const bytes: number[] = [];
  for (let i = 0; i < tag.length;) {
    const c = tag.charCodeAt(i);
    if (c !== 0x5f) {
      bytes.push(c);
      i++;
    } else if (tag[i + 1] === '_') {
      bytes.push(0x5f);
      i += 2;
    } else {
      const hex = tag.slice(i + 1, i + 3);
      if (!/^[0-9a-f]{2}$/.test(hex)) return undefined;
      bytes.push(parseInt(hex, 16));
      i += 3;
    }
  }
  const name = Buffer.from(bytes).toString('utf8');
  // Refuses non-canonical spellings (an escaped letter, a broken UTF-8 sequence): one name, one tag.
  return branchTagOrUndefined(name) === tag ? { kind: 'branch', name } : undefined;
}

function branchTagOrUndefined(name: string): string | undefined {
  try {
    return branchTag(name);
  } catch {
    return undefined;
  }
}
