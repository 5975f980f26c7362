import type { ContainerClient } from '@azure/storage-blob';
import { execFileSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { generatedSource, openSource } from '../../simulator/content.js';

/** Baseline 1: the result link fetched (same client as the collector: fetch) straight to /dev/null. */
export async function rawDownload(link: string): Promise<number> {
  const response = await fetch(link, { redirect: 'manual' });
  if (response.status !== 200 || !response.body) throw new Error(`raw download answered HTTP ${response.status}`);
  let bytes = 0;
  const body = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
  body.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
  });
  await pipeline(body, createWriteStream('/dev/null'));
  return bytes;
}

/** Writes `sizeBytes` of incompressible bytes to `path` (the upload baseline's local file). */
export async function writeLocalFile(path: string, sizeBytes: number): Promise<void> {
  await pipeline(openSource(generatedSource('bench-upload', sizeBytes)), createWriteStream(path));
}

/** Baseline 2: the SDK's own uploadFile of a local file, with the collector's block size and concurrency per file. */
export async function rawUpload(
  container: ContainerClient,
  name: string,
  path: string,
  sizeBytes: number,
  blockSize: number,
  concurrency: number,
): Promise<number> {
  // maxSingleShotSize 0: staged blocks at every size, as the collector stages them (the SDK sends a file of up to 256 MiB in one Put Blob by default).
  await container.getBlockBlobClient(name).uploadFile(path, { blockSize, concurrency, maxSingleShotSize: 0 });
  return sizeBytes;
}

/** Flushes dirty pages so one phase's disk writes do not slow the next. */
export function flushDisks(): void {
  try {
    execFileSync('sync');
  } catch {
    // not available: phases may overlap a little on disk
  }
}
