import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';

export const sha256Of = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** Yields `data` in uneven chunks, like a network body. */
export function chunked(data: Buffer, chunkBytes: number): Readable {
  let offset = 0;
  return new Readable({
    read() {
      if (offset >= data.length) return void this.push(null);
      this.push(data.subarray(offset, offset + chunkBytes));
      offset += chunkBytes;
    },
  });
}
