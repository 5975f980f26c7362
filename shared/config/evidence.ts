import { HOUR_MS, MINUTE_MS } from '../clock.js';
import type { SettingProblem } from '../errors.js';
import { int, type SettingsOf } from './values.js';

/** Evidence transfers (block size, parallel blocks, the instance's block memory, largest original) and how long a download link works. */
export const evidenceSettings = {
  EVIDENCE_BLOCK_SIZE_BYTES: int(1024 * 1024).default(4 * 1024 * 1024),
  // Blocks staged at once per transfer; one more buffer fills meanwhile: memory is block size x (this + 1), 12 MiB.
  EVIDENCE_UPLOAD_CONCURRENCY: int(1).default(2),
  /**
   * Block buffer memory of every transfer of one process together (one Function instance, up to host.json's
   * maxConcurrentCalls collect messages at once): a pool of this / EVIDENCE_BLOCK_SIZE_BYTES buffers, shared out.
   */
  EVIDENCE_INSTANCE_BLOCK_MEMORY_BYTES: int(1024 * 1024).default(32 * 1024 * 1024),
  EVIDENCE_MAX_ORIGINAL_BYTES: int(1).default(4 * 1024 * 1024 * 1024),
  /** How long an evidence download link (POST /api/runs/{id}/evidence/link) works: minutes, not hours. */
  EVIDENCE_LINK_TTL_MS: int(10_000)
    .max(HOUR_MS)
    .default(5 * MINUTE_MS),
};

export interface EvidenceConfig {
  blockSizeBytes: number;
  uploadConcurrency: number;
  /** Block buffers of all of this process's transfers together (EVIDENCE_INSTANCE_BLOCK_MEMORY_BYTES). */
  instanceBlockMemoryBytes: number;
  maxOriginalBytes: number;
  linkTtlMs: number;
}

export function evidenceConfig(s: SettingsOf<typeof evidenceSettings>): EvidenceConfig {
  return {
    blockSizeBytes: s.EVIDENCE_BLOCK_SIZE_BYTES,
    uploadConcurrency: s.EVIDENCE_UPLOAD_CONCURRENCY,
    instanceBlockMemoryBytes: s.EVIDENCE_INSTANCE_BLOCK_MEMORY_BYTES,
    maxOriginalBytes: s.EVIDENCE_MAX_ORIGINAL_BYTES,
    linkTtlMs: s.EVIDENCE_LINK_TTL_MS,
  };
}

/** The instance's block memory holds at least one block: a transfer needs one whole buffer to make progress. */
export function evidenceRules(s: SettingsOf<typeof evidenceSettings>): SettingProblem[] {
  if (s.EVIDENCE_INSTANCE_BLOCK_MEMORY_BYTES >= s.EVIDENCE_BLOCK_SIZE_BYTES) return [];
  return [
    {
      setting: 'EVIDENCE_INSTANCE_BLOCK_MEMORY_BYTES',
      message: `must be at least EVIDENCE_BLOCK_SIZE_BYTES (${s.EVIDENCE_BLOCK_SIZE_BYTES}) (got ${s.EVIDENCE_INSTANCE_BLOCK_MEMORY_BYTES})`,
    },
  ];
}
