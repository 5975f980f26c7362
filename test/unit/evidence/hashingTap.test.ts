import { createHash, randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { PermanentError, TransientError } from '../../../shared/errors.js';
import { HashingTap } from '../../../shared/evidence/hashing.js';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const sink = (): Writable => new Writable({ write: (_c, _e, cb) => cb() });
function chunks(buffer: Buffer, size: number): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < buffer.length; i += size) parts.push(buffer.subarray(i, i + size));
  return Readable.from(parts);
}

describe('hashing evidence while it streams', () => {
  it('hashes what it forwards and, for gzip, the original file', async () => {
    const original = Buffer.alloc(3 * 1024 * 1024 + 17, 'evidence-');
    const gz = gzipSync(original);
    const tap = new HashingTap({ decodeGzip: true, maxOriginalBytes: 1 << 30, maxRatio: 1000 });
    await pipeline(chunks(gz, 64 * 1024), tap, sink());
    expect(tap.digest()).toEqual({
      sha256: sha(gz),
      sizeBytes: gz.length,
      original: { sha256: sha(original), sizeBytes: original.length },
    });
  });

  it("hashes the same original whether chunks are smaller or larger than the decoder's 1 MiB input buffers", async () => {
    const original = Buffer.concat([randomBytes(2 * 1024 * 1024), Buffer.alloc(2 * 1024 * 1024 + 5, 'x')]);
    const gz = gzipSync(original, { level: 1 });
    for (const size of [1_000, 1024 * 1024, 3 * 1024 * 1024 + 1, gz.length]) {
      const tap = new HashingTap({ decodeGzip: true, maxOriginalBytes: 1 << 30, maxRatio: 1000 });
      await pipeline(chunks(gz, size), tap, sink());
      expect(tap.digest().original, `chunks of ${size} bytes`).toEqual({ sha256: sha(original), sizeBytes: original.length });
    }
  });

  it('aborts a decompression bomb at its size cap, never hashing a byte past it', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
    const cap = 8 * 1024 * 1024;
    const tap = new HashingTap({ decodeGzip: true, maxOriginalBytes: cap, maxRatio: 100_000 });
    const attempt = pipeline(chunks(bomb, 16 * 1024), tap, sink());
    await expect(attempt).rejects.toBeInstanceOf(PermanentError);
    await expect(attempt).rejects.toThrow(/decompression bomb/);
    expect(tap.digest().original?.sizeBytes).toBeLessThanOrEqual(cap);
  });

  it('aborts a decompression bomb at its ratio cap long before the size cap', async () => {
    // 64 MiB of zeros gzip to about 64 KiB; at 10:1 (beyond a 1 MiB allowance) it stops near 1 MiB.
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
    const tap = new HashingTap({ decodeGzip: true, maxOriginalBytes: 4 * 1024 ** 3, maxRatio: 10 });
    await expect(pipeline(chunks(bomb, 4 * 1024), tap, sink())).rejects.toThrow(/ratio 10:1/);
    const { sizeBytes, original } = tap.digest();
    expect(original?.sizeBytes).toBeLessThanOrEqual(Math.max(1024 * 1024, sizeBytes * 10));
  });

  it('reports gzip that ends early as a transient (truncated) failure', async () => {
    const gz = gzipSync(Buffer.alloc(256 * 1024, 'x'));
    const tap = new HashingTap({ decodeGzip: true, maxOriginalBytes: 1 << 30, maxRatio: 1000 });
    const attempt = pipeline(Readable.from([gz.subarray(0, gz.length - 10)]), tap, sink());
    await expect(attempt).rejects.toBeInstanceOf(TransientError);
    await expect(attempt).rejects.toThrow(/ended early/);
  });

  it('keeps only the first bytes it is asked to keep', async () => {
    const data = Buffer.from('0123456789'.repeat(10_000));
    const tap = new HashingTap({ decodeGzip: false, maxOriginalBytes: 1, maxRatio: 1, keepPrefixBytes: 25 });
    await pipeline(chunks(data, 7), tap, sink());
    expect(tap.prefix().toString()).toBe('0123456789012345678901234');
    expect(tap.digest()).toEqual({ sha256: sha(data), sizeBytes: data.length, original: undefined });
  });

  it('refuses content that claims to be gzip but is not', async () => {
    const tap = new HashingTap({ decodeGzip: true, maxOriginalBytes: 1 << 20, maxRatio: 1000 });
    await expect(pipeline(Readable.from([Buffer.from('plain text, not gzip')]), tap, sink())).rejects.toThrow(/not valid gzip/);
  });
});
