import { createCipheriv, createHash } from 'node:crypto';
import { Readable } from 'node:stream';

/**
 * File content on a simulated device or in the library: literal bytes, or
 * seeded pseudo-random bytes generated on demand. Generated content is the
 * AES-256-CTR keystream (key = SHA-256 of the seed, zero IV) — deterministic,
 * fast (GB/s) and streamable, so a 3 GiB file costs no memory.
 */
export type FileSource =
  { readonly kind: 'bytes'; readonly data: Buffer } | { readonly kind: 'generated'; readonly seed: string; readonly sizeBytes: number };

const CHUNK_BYTES = 1024 * 1024;
const ZEROS = Buffer.alloc(CHUNK_BYTES);
const IV = Buffer.alloc(16);

export const bytesSource = (data: Buffer | string): FileSource => ({
  kind: 'bytes',
  data: typeof data === 'string' ? Buffer.from(data, 'utf8') : data,
});
export const generatedSource = (seed: string, sizeBytes: number): FileSource => ({ kind: 'generated', seed, sizeBytes });

export const sizeOf = (source: FileSource): number => (source.kind === 'bytes' ? source.data.length : source.sizeBytes);

function keystream(seed: string) {
  const key = createHash('sha256').update(seed, 'utf8').digest();
  return createCipheriv('aes-256-ctr', key, IV);
}

/** Streams a source in chunks of at most 1 MiB, honouring back-pressure. */
export function openSource(source: FileSource): Readable {
  if (source.kind === 'bytes') return Readable.from([source.data], { objectMode: false });
  const cipher = keystream(source.seed);
  let remaining = source.sizeBytes;
  return new Readable({
    read() {
      for (;;) {
        if (remaining <= 0) {
          this.push(null);
          return;
        }
        const n = Math.min(CHUNK_BYTES, remaining);
        remaining -= n;
        if (!this.push(cipher.update(ZEROS.subarray(0, n)))) return;
      }
    },
  });
}

const digestCache = new Map<string, string>();

/** SHA-256 (hex) of a source's bytes. Generated content is hashed synchronously once and cached. */
export function sha256Of(source: FileSource): string {
  if (source.kind === 'bytes') return createHash('sha256').update(source.data).digest('hex');
  const cacheKey = `${source.sizeBytes}\u0000${source.seed}`;
  const cached = digestCache.get(cacheKey);
  if (cached) return cached;
  const hash = createHash('sha256');
  const cipher = keystream(source.seed);
  for (let remaining = source.sizeBytes; remaining > 0; remaining -= CHUNK_BYTES) {
    hash.update(cipher.update(ZEROS.subarray(0, Math.min(CHUNK_BYTES, remaining))));
  }
  const digest = hash.digest('hex');
  digestCache.set(cacheKey, digest);
  return digest;
}
