import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
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
      sha256: sha(gz), sizeBytes: gz.length,
      original: { sha256: sha(original), sizeBytes: original.length },
    });
  });

  it('aborts a decompression bomb at its cap instead of expanding it', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
    const tap = new HashingTap({ decodeGzip: true, maxOriginalBytes: 8 * 1024 * 1024, maxRatio: 1000 });
    await expect(pipeline(chunks(bomb, 16 * 1024), tap, sink())).rejects.toThrow(/decompression bomb/);
  });

  it('refuses content that claims to be gzip but is not', async () => {
    const tap = new HashingTap({ decodeGzip: true, maxOriginalBytes: 1 << 20, maxRatio: 1000 });
    await expect(pipeline(Readable.from([Buffer.from('plain text, not gzip')]), tap, sink())).rejects.toThrow(/not valid gzip/);
  });
});
