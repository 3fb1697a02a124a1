// Typed errors of the storage layer: a code for machines, one sentence for people, an optional hint.
// The server turns them into {"Err": ...} and JSON error bodies, the CLI into exit codes; nothing in
// between formats messages.

/** Every failure dvol reports falls into exactly one of these classes. */
export type ErrorCode =
  | 'invalid' // bad input: a name, a ref, an option, a missing message
  | 'not_found' // no such volume, branch, tag, commit or ref
  | 'exists' // the name is taken
  | 'in_use' // mounted, or used by containers
  | 'dirty' // the working data has uncommitted changes
  | 'conflict' // refused because it would lose or break something (unforced reset, branch -d of unmerged work)
  | 'corrupt' // the on-disk store is inconsistent or of an unknown format
  | 'locked' // another process owns the state directory
  | 'no_space' // the disk is full
  | 'unsupported' // the driver or filesystem cannot do it
  | 'denied' // a remote refused our credentials, or we have none for it
  | 'unreachable' // a remote did not answer (connection refused, DNS, TLS)
  | 'unavailable' // the server could not open its store: every request gets why, until it can
  | 'internal'; // a bug or an unexpected system error

export class DvolError extends Error {
  override readonly name = 'DvolError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** What the user can do about it, as a command where there is one. */
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Maps a system error (ENOSPC, EACCES, ...) to a DvolError; DvolErrors pass through unchanged. */
export function asDvolError(err: unknown, doing: string): DvolError {
  if (err instanceof DvolError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new DvolError(
      'no_space',
      `no space left on the device while ${doing}`,
      "free some space, or delete the data of old commits with 'dvol commit -d REF'",
      { cause: err },
    );
  }
  const detail = err instanceof Error ? err.message : String(err);
  return new DvolError('internal', `${doing} failed: ${detail}`, undefined, { cause: err });
}
