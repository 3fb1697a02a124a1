// Validation of volume, branch and tag names, and of commit messages and authors; quoting of
// untrusted strings in messages.

import { DvolError } from './errors.js';

/** Docker's volume-name alphabet; also used for branches and tags so they need no escaping anywhere. */
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const MAX_NAME = 64;

export type NameKind = 'volume' | 'branch' | 'tag' | 'remote';

/** Throws 'invalid' with a precise reason unless `name` is a valid volume, branch or tag name. */
export function checkName(kind: NameKind, name: string): void {
  const reason = nameProblem(kind, name);
  if (reason) {
    throw new DvolError(
      'invalid',
      `invalid ${kind} name ${quote(name)}: ${reason}`,
      `use 1 to ${MAX_NAME} letters, digits, '_', '.' or '-', starting with a letter or digit`,
    );
  }
}

/** Why `name` is not a valid name of its kind; undefined when it is valid. */
export function nameProblem(kind: NameKind, name: string): string | undefined {
  if (name === '') return 'it is empty';
  if (name.length > MAX_NAME) return `it is ${name.length} characters long, the limit is ${MAX_NAME}`;
  if (name.includes('/')) return "it contains '/'";
  if (name.includes('..')) return "it contains '..'";
  if (/\s/.test(name)) return 'it contains whitespace';
  if (/[~^]/.test(name)) return "'~' and '^' are ref syntax (HEAD~1, main^)";
  if (!NAME.test(name)) return 'it must start with a letter or digit and use only letters, digits, _ . -';
  // Branches and tags share the ref namespace with HEAD and with commit ids.
  if (kind !== 'volume' && name.toUpperCase() === 'HEAD') return "'HEAD' names the active branch's tip";
  if (kind !== 'volume' && /^[0-9a-f]{40}$/.test(name)) return 'it looks like a commit id';
  return undefined;
}

/** The most characters of an untrusted string a message quotes. */
export const QUOTE_LIMIT = 64;

/**
 * `s` in single quotes for a message; a longer one is cut to QUOTE_LIMIT characters with an ellipsis
 * and its length, so a huge input never comes back whole in an error.
 */
export function quote(s: string): string {
  if (s.length <= QUOTE_LIMIT) return `'${s}'`;
  return `'${s.slice(0, QUOTE_LIMIT)}…' (${s.length} characters)`;
}

/** Returns the message unchanged if it has non-blank content; throws 'invalid' otherwise. */
export function checkMessage(message: string): string {
  if (message.trim() === '') {
    throw new DvolError('invalid', 'the commit message is empty', "give one with 'dvol commit -m MESSAGE'");
  }
  return message;
}

const AUTHOR = /^[^<>\n]*[^<>\s] <[^<>\s@]+@[^<>\s]+>$/;

/** Throws 'invalid' unless the author looks like `Name <email>`. */
export function checkAuthor(author: string): string {
  if (!AUTHOR.test(author)) {
    throw new DvolError(
      'invalid',
      `invalid author ${quote(author)}: it must look like 'Name <email>'`,
      "set it like 'Jane Doe <jane@example.com>'",
    );
  }
  return author;
}
