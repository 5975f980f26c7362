import { z } from 'zod';
import { manifestItemSchema, type ManifestItem } from '../../evidence/manifestSchema.js';
import { itemKey, manifestItemsOf } from '../../evidence/manifest.js';
import { manifestBlobName } from '../../evidence/naming.js';
import { fail, ok, type Issue, type Result } from '../../result.js';
import { runSchema, triggerSchema, type RunView } from '../../runs/model.js';
import { toIssues } from '../../validation.js';
import type { EvidenceAccessDeps } from './deps.js';

/** Files one GET /api/runs/{id}/evidence page holds at most (a run of 500 devices may store a thousand). */
export const EVIDENCE_LIST_MAX_LIMIT = 500;

/** The query of GET /api/runs/{id}/evidence, as it arrives (every value a string). */
export const evidenceListQuerySchema = z.strictObject({
  /** Files per page (default 100). */
  limit: z.coerce.number().int().min(1).max(EVIDENCE_LIST_MAX_LIMIT).default(100),
  /** From the previous page. */
  continuationToken: z.string().min(1).max(1_000).optional(),
});

/**
 * A run's stored files, one item per file with its chain-of-custody facts
 * exactly as the run's manifest lists them: device, machine action and
 * command that produced it, where it is stored, size, SHA-256 (and the
 * original's, for a gzipped GetFile), content type, when and by which build
 * it was collected.
 */
export const evidenceListSchema = z.object({
  runId: z.string(),
  trigger: triggerSchema,
  playbook: runSchema.shape.playbook,
  /** The run's chain-of-custody manifest, once it has stored a file (a download link can be asked for it too). */
  manifestBlobName: z.string().optional(),
  /** Files the run has stored in all. */
  total: z.number().int().nonnegative(),
  items: z.array(manifestItemSchema),
  /** Present when more files follow: pass it back for the next page. */
  continuationToken: z.string().optional(),
});
export type EvidenceList = z.infer<typeof evidenceListSchema>;

/**
 * A page of the run's stored files, read from the run record (no blob
 * listing), in the manifest's order; undefined for an unknown run. The token
 * is the position after the last file answered, so files stored while an
 * operator pages are never skipped or repeated.
 */
export async function listRunEvidence(
  deps: EvidenceAccessDeps,
  runId: string,
  rawQuery: unknown,
): Promise<Result<EvidenceList, Issue[]> | undefined> {
  const parsed = evidenceListQuerySchema.safeParse(rawQuery);
  if (!parsed.success) return fail(toIssues(parsed.error));
  const after = parsed.data.continuationToken === undefined ? undefined : decodePosition(parsed.data.continuationToken);
  if (after === null) return fail([{ path: 'continuationToken', message: 'not a token this API issued' }]);
  const view = await deps.runs.getRun(runId);
  if (!view) return undefined;
  const all = manifestItemsOf(view);
  const rest = after === undefined ? all : all.filter((item) => itemKey(item) > after);
  const items = rest.slice(0, parsed.data.limit);
  const last = items.at(-1);
  return ok({
    runId: view.run.runId,
    trigger: view.run.trigger,
    playbook: view.run.playbook,
    ...manifestOf(view),
    total: all.length,
    items,
    ...(rest.length > items.length && last ? { continuationToken: encodePosition(last) } : {}),
  });
}

/** The blobs of the run a download link may be signed for: each stored file, and the manifest once there is one. */
export function downloadableBlobs(view: RunView): Set<string> {
  const names = new Set(view.evidence.map((e) => e.blobName));
  const { manifestBlobName: manifest } = manifestOf(view);
  if (manifest !== undefined) names.add(manifest);
  return names;
}

/** The manifest is written with the run's first stored file. */
function manifestOf(view: RunView): { manifestBlobName?: string } {
  return view.evidence.length > 0 ? { manifestBlobName: manifestBlobName(view.run.runId) } : {};
}

const TOKEN_PREFIX = 'ev1.';

function encodePosition(item: ManifestItem): string {
  return TOKEN_PREFIX + Buffer.from(itemKey(item), 'utf8').toString('base64url');
}

/** The position a token names; null for a token this API did not issue. */
function decodePosition(token: string): string | null {
  if (!token.startsWith(TOKEN_PREFIX)) return null;
  const key = Buffer.from(token.slice(TOKEN_PREFIX.length), 'base64url').toString('utf8');
  return key.split('|').length === 3 ? key : null;
}
