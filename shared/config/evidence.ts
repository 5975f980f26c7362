import { HOUR_MS, MINUTE_MS } from '../clock.js';
import { int, type SettingsOf } from './values.js';

/** Evidence transfers (block size, parallel blocks, largest original) and how long a download link works. */
export const evidenceSettings = {
  EVIDENCE_BLOCK_SIZE_BYTES: int(1024 * 1024).default(4 * 1024 * 1024),
  // Blocks staged at once per transfer; one more buffer fills meanwhile: memory is block size x (this + 1), 12 MiB.
  EVIDENCE_UPLOAD_CONCURRENCY: int(1).default(2),
  EVIDENCE_MAX_ORIGINAL_BYTES: int(1).default(4 * 1024 * 1024 * 1024),
  /** How long an evidence download link (POST /api/runs/{id}/evidence/link) works: minutes, not hours. */
  EVIDENCE_LINK_TTL_MS: int(10_000)
    .max(HOUR_MS)
    .default(5 * MINUTE_MS),
};

export interface EvidenceConfig {
  blockSizeBytes: number;
  uploadConcurrency: number;
  maxOriginalBytes: number;
  linkTtlMs: number;
}

export function evidenceConfig(s: SettingsOf<typeof evidenceSettings>): EvidenceConfig {
  return {
    blockSizeBytes: s.EVIDENCE_BLOCK_SIZE_BYTES,
    uploadConcurrency: s.EVIDENCE_UPLOAD_CONCURRENCY,
    maxOriginalBytes: s.EVIDENCE_MAX_ORIGINAL_BYTES,
    linkTtlMs: s.EVIDENCE_LINK_TTL_MS,
  };
}
