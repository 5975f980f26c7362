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

/** A body that records whether anything read from it. */
export function untouchable(): { body: Readable; wasRead: () => boolean } {
  let read = false;
  const body = new Readable({
    read() {
      read = true;
      this.push(null);
    },
  });
  return { body, wasRead: () => read || body.readableFlowing !== null };
}

/** Reads a stream to its end. */
export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
