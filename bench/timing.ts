// Timing helpers for the driver and change-detection benchmarks: repeated runs reduced to a median,
// and aligned result tables.

/** Times `work` `runs` times (after an untimed `prepare` each time); resolves to seconds per run. */
export async function sample(
  runs: number,
  work: () => Promise<unknown>,
  prepare?: () => Promise<unknown>,
): Promise<number[]> {
  const seconds: number[] = [];
  for (let i = 0; i < runs; i++) {
    await prepare?.();
    const start = process.hrtime.bigint();
    await work();
    seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  return seconds;
}

/** The median of some numbers (the lower middle one for an even count). */
export function medianOf(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? NaN;
}

/** Prints rows as a Markdown table (so the output can go straight into docs/benchmarks.md). */
export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  console.log(line(header));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) console.log(line(row));
}

/** Seconds with 3 significant figures, e.g. "0.123 s". */
export function secs(s: number): string {
  return `${s.toPrecision(3)} s`;
}
