import { z } from 'zod';
import type { EvidenceLinkSigning } from '../../evidence/links.js';
import type { Issue } from '../../result.js';
import { toIssues } from '../../validation.js';
import type { EvidenceAccessDeps } from './deps.js';
import { downloadableBlobs } from './evidenceList.js';

/** POST /api/runs/{id}/evidence/link: which blob of the run, and optionally why. */
export const evidenceLinkRequestSchema = z.strictObject({
  /** A blob name as GET /api/runs/{id}/evidence lists it (an item's `blob.name`, or `manifestBlobName`). */
  blob: z.string().min(1).max(1_024),
  /** Why the file is downloaded: kept in the audit log. */
  reason: z.string().trim().min(1).max(500).optional(),
});

/** The answer: a link that reads that one blob until `expiresAt`. A bearer credential: never logged. */
export const evidenceLinkSchema = z.strictObject({
  blob: z.string(),
  url: z.url(),
  expiresAt: z.iso.datetime({ offset: false }),
});
export type EvidenceLinkAnswer = z.infer<typeof evidenceLinkSchema>;

export type EvidenceLinkOutcome =
  | { kind: 'invalid'; issues: Issue[] }
  | { kind: 'no-run' }
  /** The name is not one of this run's stored files or its manifest (another run's, or made up). */
  | { kind: 'not-evidence' }
  /** No adapter can sign links for this storage account (docs/api.md: "Evidence downloads"). */
  | { kind: 'unavailable' }
  | { kind: 'signed'; link: EvidenceLinkAnswer; reason?: string; signing: EvidenceLinkSigning };

/**
 * Signs a short-lived, read-only link to one blob of the run, for
 * EVIDENCE_LINK_TTL_MS. The blob must be one the run record names (a stored
 * file, or the run's manifest once it has one): an exact match, so no name
 * reaches another run's evidence or manifest.
 */
export async function signEvidenceLink(deps: EvidenceAccessDeps, runId: string, body: unknown): Promise<EvidenceLinkOutcome> {
  const parsed = evidenceLinkRequestSchema.safeParse(body);
  if (!parsed.success) return { kind: 'invalid', issues: toIssues(parsed.error) };
  const { blob, reason } = parsed.data;
  const view = await deps.runs.getRun(runId);
  if (!view) return { kind: 'no-run' };
  if (!downloadableBlobs(view).has(blob)) return { kind: 'not-evidence' };
  if (!deps.evidenceLinks) return { kind: 'unavailable' };
  const signed = await deps.evidenceLinks.readLink(blob, deps.config.evidence.linkTtlMs);
  return {
    kind: 'signed',
    link: { blob, url: signed.url, expiresAt: new Date(signed.expiresMs).toISOString() },
    ...(reason === undefined ? {} : { reason }),
    signing: deps.evidenceLinks.signing,
  };
}
