import { pipeline } from 'node:stream/promises';
import { TransientError } from '../../errors.js';
import { custodyProperties, sealedProperties, type CustodySubject } from '../../evidence/custody.js';
import { HashingTap, type StreamDigest } from '../../evidence/hashing.js';
import { TRANSCRIPT_SUMMARY_MAX_BYTES, summarizeTranscript, type TranscriptSummary } from '../../evidence/transcript.js';
import type { Deps } from '../deps.js';

/** Ratio of decoded to received bytes beyond which gzip content is treated as a bomb. */
export const MAX_GZIP_RATIO = 1_000;

export interface TransferResult {
  outcome: 'created' | 'exists';
  digest: StreamDigest;
  contentType: string;
  contentEncoding?: string;
  transcript?: TranscriptSummary;
}

type TransferDeps = Pick<Deps, 'config' | 'defender' | 'evidence'>;

/** How a command's result is stored: GetFile content is gzip (decoded only to hash the original). */
export function contentOf(commandType: string): { contentType: string; contentEncoding?: string; decodeGzip: boolean } {
  return commandType === 'GetFile'
    ? { contentType: 'application/gzip', contentEncoding: 'gzip', decodeGzip: true }
    : { contentType: 'application/json', decodeGzip: false };
}

/**
 * Streams one result link into a new evidence blob: link body -> hashing tap
 * (SHA-256 of the bytes, and of the gunzipped original for GetFile) -> staged
 * blocks. The commit happens only once the body ended cleanly, its length
 * matches any Content-Length, and the hashes are known; they go into the
 * blob's metadata and index tags at the commit. Any failure leaves nothing
 * committed and is thrown (TransientError for a broken or truncated
 * transfer, PermanentError for a refused link or a decompression bomb).
 * 'exists' means another writer committed the blob first: its digest is not
 * this transfer's and must not be recorded.
 */
export async function transferResult(deps: TransferDeps, link: string, blobName: string, subject: CustodySubject): Promise<TransferResult> {
  const content = contentOf(subject.commandType);
  const download = await deps.defender.downloadResult(link);
  const tap = newTap(deps, content.decodeGzip, subject.commandType === 'RunScript');
  const piping = pipeline(download.body, tap);
  const { metadata, tags } = custodyProperties(subject);
  const writing = deps.evidence.writeNew(blobName, tap, {
    contentType: content.contentType,
    // Stored as served: the gzip stays gzip. The encoding is recorded in metadata and the manifest,
    // not as Content-Encoding, so that no HTTP client silently gunzips evidence on the way out.
    metadata: { ...metadata, contentEncoding: content.contentEncoding ?? 'identity' },
    tags,
    seal: () => {
      const digest = tap.digest();
      if (download.contentLength !== undefined && digest.sizeBytes !== download.contentLength) {
        throw new TransientError(`download of a result ended after ${digest.sizeBytes} of ${download.contentLength} bytes (truncated)`);
      }
      return sealedProperties(digest);
    },
  });
  // If the store stops reading (it failed, or the blob exists), stop the download at once.
  const stopDownload = (): void => {
    tap.destroy();
    download.body.destroy();
  };
  void writing.then((outcome) => outcome === 'exists' && stopDownload(), stopDownload);
  const [piped, written] = await Promise.allSettled([piping, writing]);
  if (written.status === 'rejected') throw written.reason;
  if (written.value === 'exists')
    return { outcome: 'exists', digest: tap.digest(), contentType: content.contentType, contentEncoding: content.contentEncoding };
  if (piped.status === 'rejected') throw piped.reason;
  const digest = tap.digest();
  return {
    outcome: 'created',
    digest,
    contentType: content.contentType,
    contentEncoding: content.contentEncoding,
    transcript: subject.commandType === 'RunScript' ? summarizeTranscript(tap.prefix(), digest.sizeBytes) : undefined,
  };
}

/** Re-reads a stored blob to hash it (evidence committed by a collector that stopped before recording it). */
export async function rehashStored(deps: TransferDeps, blobName: string, commandType: string): Promise<Omit<TransferResult, 'outcome'>> {
  const content = contentOf(commandType);
  const tap = newTap(deps, content.decodeGzip, commandType === 'RunScript');
  tap.resume();
  await pipeline(await deps.evidence.openRead(blobName), tap);
  const digest = tap.digest();
  return {
    digest,
    contentType: content.contentType,
    contentEncoding: content.contentEncoding,
    transcript: commandType === 'RunScript' ? summarizeTranscript(tap.prefix(), digest.sizeBytes) : undefined,
  };
}

function newTap(deps: TransferDeps, decodeGzip: boolean, transcript: boolean): HashingTap {
  return new HashingTap({
    decodeGzip,
    maxOriginalBytes: deps.config.evidence.maxOriginalBytes,
    maxRatio: MAX_GZIP_RATIO,
    keepPrefixBytes: transcript ? TRANSCRIPT_SUMMARY_MAX_BYTES : 0,
  });
}
