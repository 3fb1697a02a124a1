// What a remote is known to hold, kept locally per remote so dedup decisions need no requests: the
// packs put there (descriptor and block hashes). A JSON-lines file, one pack per line appended and
// fsynced as each pack completes, so an interrupted push loses at most the pack it was building.

import { promises as fs } from 'node:fs';

import type { Descriptor } from '../blobstore.js';
import { asDvolError } from '../../errors.js';

interface PackLine {
  pack: Descriptor;
  /** Concatenated 32-byte block hashes, base64. */
  blocks: string;
}

interface ForgetLine {
  forget: string;
}

/** The local record of a remote's packs; block lookups are in memory. */
export class KnownBlocks {
  private readonly packs = new Map<string, { descriptor: Descriptor; hashes: Buffer }>();
  /** Block hash (32 bytes as a latin1 key) → the digest of a pack holding it. */
  private readonly blockPack = new Map<string, string>();

  /** Set when the file ends in a torn line, so the next line starts fresh. */
  private torn = false;

  private constructor(readonly file: string) {}

  /** Reads the cache file (absent: empty); a torn last line from a crash is ignored. */
  static async open(file: string): Promise<KnownBlocks> {
    const known = new KnownBlocks(file);
    let text = '';
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw asDvolError(err, `reading ${file}`);
    }
    known.torn = text !== '' && !text.endsWith('\n');
    for (const line of text.split('\n')) {
      let parsed: Partial<PackLine & ForgetLine>;
      try {
        parsed = JSON.parse(line) as Partial<PackLine & ForgetLine>;
      } catch {
        continue; // a torn line: the pack it named is simply not known
      }
      if (typeof parsed.forget === 'string') known.drop(parsed.forget);
      else if (parsed.pack && typeof parsed.blocks === 'string') {
        known.remember(parsed.pack, Buffer.from(parsed.blocks, 'base64'));
      }
    }
    return known;
  }

  has(pack: string): boolean {
    return this.packs.has(pack);
  }

  descriptor(pack: string): Descriptor | undefined {
    return this.packs.get(pack)?.descriptor;
  }

  /** The pack holding the block with this hash, if any is known. */
  packOf(hash: Buffer): string | undefined {
    return this.blockPack.get(hash.toString('latin1'));
  }

  /** Makes `pack` the one its blocks are looked up in (a parent's packs need no existence check). */
  prefer(pack: string): void {
    const p = this.packs.get(pack);
    if (!p) return;
    for (let i = 0; i < p.hashes.length; i += 32) {
      this.blockPack.set(p.hashes.subarray(i, i + 32).toString('latin1'), pack);
    }
  }

  /** Records a pack now on the remote, durably, before the push goes on. */
  async add(pack: Descriptor, hashes: Buffer): Promise<void> {
    this.remember(pack, hashes);
    await this.append({ pack, blocks: hashes.toString('base64') });
  }

  /** Forgets a pack the remote turned out not to have (deleted by its GC). */
  async forget(pack: string): Promise<void> {
    this.drop(pack);
    await this.append({ forget: pack });
  }

  private remember(pack: Descriptor, hashes: Buffer): void {
    this.packs.set(pack.digest, { descriptor: pack, hashes });
    for (let i = 0; i < hashes.length; i += 32) {
      const key = hashes.subarray(i, i + 32).toString('latin1');
      if (!this.blockPack.has(key)) this.blockPack.set(key, pack.digest);
    }
  }

  private drop(pack: string): void {
    const p = this.packs.get(pack);
    if (!p) return;
    this.packs.delete(pack);
    for (let i = 0; i < p.hashes.length; i += 32) {
      const key = p.hashes.subarray(i, i + 32).toString('latin1');
      if (this.blockPack.get(key) === pack) this.blockPack.delete(key);
    }
  }

  private async append(line: PackLine | ForgetLine): Promise<void> {
    try {
      const handle = await fs.open(this.file, 'a', 0o600);
      try {
        await handle.write(`${this.torn ? '\n' : ''}${JSON.stringify(line)}\n`);
        this.torn = false;
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (err) {
      throw asDvolError(err, `writing ${this.file}`);
    }
  }
}
