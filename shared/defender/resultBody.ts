import { Transform, type Readable } from 'node:stream';
import { TransientError } from '../errors.js';

/**
 * A result link's body whose failures are the responder's own: a connection
 * that breaks, or a body that ends short of (or beyond) its Content-Length,
 * fails with a TransientError (the caller retries with a fresh link) that
 * quotes neither the URL nor the transport's message. Destroying the
 * returned stream releases the connection.
 */
export function resultBody(source: Readable, contentLength: number | undefined): Readable {
  let receivedBytes = 0;
  const out = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      receivedBytes += chunk.length;
      callback(null, chunk);
    },
    flush(callback) {
      if (contentLength !== undefined && receivedBytes !== contentLength) {
        callback(new TransientError(`download of a result ended after ${receivedBytes} of ${contentLength} bytes (truncated)`));
        return;
      }
      callback();
    },
  });
  source.on('error', (error) =>
    out.destroy(new TransientError(`download of a result broke after ${receivedBytes} bytes`, { cause: kindOf(error) })),
  );
  out.on('close', () => {
    if (!source.destroyed) source.destroy();
  });
  source.pipe(out);
  return out;
}

/** Keeps the error's kind but drops text that may quote a URL. */
export function kindOf(error: unknown): Error {
  const name = error instanceof Error ? error.name : 'Error';
  const direct = (error as { code?: unknown } | undefined)?.code;
  const nested = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  const code = typeof direct === 'string' ? direct : typeof nested === 'string' ? nested : undefined;
  return new Error(`${name}${code ? ` (${code})` : ''}`);
}
