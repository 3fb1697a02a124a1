// The CLI's one error type and the one place where errors become exit statuses and stderr lines.

import type { ErrorCode } from '../storage/errors.js';

/** What can go wrong in the CLI: the server's codes (`unreachable` is also the plugin not answering). */
export type CliErrorCode = ErrorCode | 'unreachable';

/** An error the CLI reports as `dvol: <message>` and `hint: <hint>`, with an exit status from its code. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    readonly code: CliErrorCode,
    message: string,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A usage mistake (unknown option, missing argument): exit status 2 with a pointer to the help. */
export function usageError(message: string, verb?: string): CliError {
  const help = verb ? `dvol ${verb} --help` : 'dvol --help';
  return new CliError('invalid', message, `see '${help}'`);
}

/** Exit statuses, as documented in docs/api.md and every command's EXIT STATUS section. */
export const EXIT = { ok: 0, error: 1, usage: 2, notFound: 3, conflict: 4, unreachable: 5 } as const;

const exitByCode: Record<CliErrorCode, number> = {
  invalid: EXIT.usage,
  not_found: EXIT.notFound,
  exists: EXIT.conflict,
  in_use: EXIT.conflict,
  dirty: EXIT.conflict,
  conflict: EXIT.conflict,
  locked: EXIT.conflict,
  unreachable: EXIT.unreachable,
  // The plugin answers but cannot open its store: for the user, as unusable as an unreachable one.
  unavailable: EXIT.unreachable,
  unsupported: EXIT.error,
  denied: EXIT.error,
  no_space: EXIT.error,
  corrupt: EXIT.error,
  internal: EXIT.error,
};

/** Whether a code from the server is one the CLI knows (unknown ones are treated as internal). */
export function isCliErrorCode(code: unknown): code is CliErrorCode {
  return typeof code === 'string' && Object.hasOwn(exitByCode, code);
}

/** The exit status for any thrown value: unknown errors are bugs, status 1. */
export function exitCodeOf(err: unknown): number {
  return err instanceof CliError ? (exitByCode[err.code] ?? EXIT.error) : EXIT.error;
}

/** The stderr text for any thrown value, git style: `dvol: <message>` then `hint: <hint>`. */
export function formatError(err: unknown): string {
  if (err instanceof CliError) {
    return `dvol: ${err.message}\n` + (err.hint ? `hint: ${err.hint}\n` : '');
  }
  const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
  return `dvol: unexpected error: ${detail}\nhint: this is a bug in dvol; please report it with the command you ran\n`;
}
