// A real BlobStore wrapped to count what a push sends and what a restore reads, for dedup tests.

import type { BlobStore, ByteRange, Descriptor } from '../blobstore.js';

export interface Counts {
  puts: number;
  bytesPut: number;
  gets: number;
  heads: number;
  manifests: number;
}

export function counting(store: BlobStore): { store: BlobStore; counts: Counts; reset(): void } {
  const counts: Counts = { puts: 0, bytesPut: 0, gets: 0, heads: 0, manifests: 0 };
  const wrapped: BlobStore = {
    location: store.location,
    hasBlob: (d: string) => {
      counts.heads++;
      return store.hasBlob(d);
    },
    getBlob: (d: string, r?: ByteRange) => {
      counts.gets++;
      return store.getBlob(d, r);
    },
    putBlob: async (d: string, data: Buffer) => {
      counts.puts++;
      counts.bytesPut += data.length;
      await store.putBlob(d, data);
    },
    resolve: (r: string) => store.resolve(r),
    getManifest: (r: string) => store.getManifest(r),
    putManifest: (tag: string, mt: string, bytes: Buffer): Promise<Descriptor> => {
      counts.manifests++;
      return store.putManifest(tag, mt, bytes);
    },
    listTags: () => store.listTags(),
    deleteTag: (tag: string) => store.deleteTag(tag),
  };
  const reset = () => Object.assign(counts, { puts: 0, bytesPut: 0, gets: 0, heads: 0, manifests: 0 });
  return { store: wrapped, counts, reset };
}
