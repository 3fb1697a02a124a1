// Pure text formatting: docker-style aligned tables, human sizes, git dates and the git-style log.

import type { Commit } from '../storage/model.js';

/**
 * Aligns rows into columns separated by `gap` spaces, like `docker ps`; trailing spaces are trimmed.
 * Widths count characters, so pass uncoloured cells.
 */
export function table(rows: string[][], gap = 2): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd((widths[i] ?? 0) + gap)))
        .join('')
        .trimEnd(),
    )
    .map((line) => line + '\n')
    .join('');
}

const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];

/** Decimal human size with three significant digits, as docker prints sizes: 0B, 512B, 1.5kB, 6.72GB. */
export function humanSize(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${Number(value.toPrecision(3))}${units[unit]}`;
}

const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** git's default date format in UTC, e.g. `Wed Jul 8 15:00:05 2015 +0000` (dates are stored in UTC). */
export function gitDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const time = [d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()]
    .map((n) => String(n).padStart(2, '0'))
    .join(':');
  return `${days[d.getUTCDay()]} ${months[d.getUTCMonth()]} ${d.getUTCDate()} ${time} ${d.getUTCFullYear()} +0000`;
}

/** `1 commit`, `2 commits`: a count and a noun that takes an 's' in the plural. */
export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** The first seven hex digits of a commit id, as git abbreviates. */
export function shortId(id: string): string {
  return id.slice(0, 7);
}

/**
 * git-style log entries: `commit <id>`, `Author: `, `Date:   `, a blank line, the message indented
 * by four spaces, and a blank line between entries. `paintId` colours the commit line on a terminal.
 */
export function formatLog(commits: Commit[], paintId: (text: string) => string = (s) => s): string {
  return commits
    .map((c) => {
      const id = paintId(`commit ${c.id}`) + (c.scheduled ? ' (scheduled)' : '');
      const head = [id, `Author: ${c.author}`, `Date:   ${gitDate(c.date)}`];
      if (c.dataDeleted) head.push('Data:   deleted to reclaim space');
      const body = c.message.split('\n').map((line) => (line ? `    ${line}` : ''));
      return [...head, '', ...body, ''].join('\n');
    })
    .join('\n');
}
