// Page-structured data like a database file's: 8 KiB pages, most random, some compressible text,
// and in-place rewrites of a random share of them (what a day of UPDATEs does to a heap file).

import { randomBytes, randomInt } from 'node:crypto';
import fs from 'node:fs';

export const PAGE = 8192;

/** One page: random bytes, or (one in `compressibleEvery`) repetitive text. */
export function page(compressible: boolean): Buffer {
  if (!compressible) return randomBytes(PAGE);
  const row = `id=${randomInt(1e9)} name=customer status=active balance=0000.00 note=none;`;
  return Buffer.from(row.repeat(Math.ceil(PAGE / row.length)).slice(0, PAGE));
}

/** Writes `bytes` (a multiple of PAGE) of pages to `file`, one in four compressible. */
export function writePages(file: string, bytes: number): void {
  const fd = fs.openSync(file, 'w');
  try {
    const chunk = 256;
    for (let p = 0; p < bytes / PAGE; p += chunk) {
      const pages = Array.from({ length: Math.min(chunk, bytes / PAGE - p) }, (_, i) =>
        page((p + i) % 4 === 3),
      );
      fs.writeSync(fd, Buffer.concat(pages), 0, pages.length * PAGE, p * PAGE);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Rewrites `fraction` of the file's pages, chosen at random, in place; returns how many. */
export function changePages(file: string, fraction: number): number {
  const pages = fs.statSync(file).size / PAGE;
  const chosen = new Set<number>();
  const want = Math.round(pages * fraction);
  while (chosen.size < want) chosen.add(randomInt(pages));
  const fd = fs.openSync(file, 'r+');
  try {
    for (const p of chosen) fs.writeSync(fd, page(p % 4 === 3), 0, PAGE, p * PAGE);
  } finally {
    fs.closeSync(fd);
  }
  return want;
}
