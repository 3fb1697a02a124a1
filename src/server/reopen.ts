// Opens something (the store) at once and, after a failure, again when asked, at most once a second.

/** What the latest attempt gave: the opened value, or what stands in for it after a failure. */
export type Attempt<T, F> = { ok: true; value: T } | { ok: false; error: unknown; failure: F };

/**
 * Holds the latest attempt to open. A failed attempt is retried by the first caller of `current()`
 * once `intervalMs` have passed since it failed, so fixing the cause and running the command again
 * works; callers within the interval share the failure, and a retry in progress is shared too.
 */
export class Reopener<T, F> {
  /** The first attempt's outcome (start-up reports it). */
  readonly first: Promise<Attempt<T, F>>;
  private attempt: Promise<Attempt<T, F>>;
  private failedAt = 0;
  private closed = false;

  constructor(
    private readonly open: () => Promise<T>,
    /** Called once per failed attempt: what callers get instead of the value (e.g. an app saying why). */
    private readonly onFailure: (error: unknown) => F,
    private readonly intervalMs = 1000,
  ) {
    this.attempt = this.run();
    this.first = this.attempt;
  }

  /** The latest outcome; after a failure old enough, the outcome of a new attempt. */
  async current(): Promise<Attempt<T, F>> {
    const attempt = this.attempt;
    const last = await attempt;
    if (last.ok || this.closed || Date.now() - this.failedAt < this.intervalMs) return last;
    if (this.attempt === attempt) this.attempt = this.run();
    return this.attempt;
  }

  /** Stops retrying; resolves to the value if the attempt in progress (or the last one) opened it. */
  async close(): Promise<T | undefined> {
    this.closed = true;
    const last = await this.attempt;
    return last.ok ? last.value : undefined;
  }

  private async run(): Promise<Attempt<T, F>> {
    try {
      return { ok: true, value: await this.open() };
    } catch (error) {
      this.failedAt = Date.now();
      return { ok: false, error, failure: this.onFailure(error) };
    }
  }
}
