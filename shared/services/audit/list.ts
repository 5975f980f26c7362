import { z } from 'zod';
import { auditEntrySchema } from '../../audit/auditLog.js';
import { ValidationError } from '../../errors.js';
import { fail, ok, type Issue, type Result } from '../../result.js';
import { toIssues } from '../../validation.js';
import type { Deps } from '../deps.js';

/** The query of GET /api/audit, as it arrives (every value a string). */
export const auditListQuerySchema = z.strictObject({
  /** Entries per page (default 50). */
  limit: z.coerce.number().int().min(1).max(1_000).default(50),
  /** From the previous page. */
  continuationToken: z.string().min(1).max(2_048).optional(),
});

export const auditListSchema = z.object({
  /** Newest first. */
  entries: z.array(auditEntrySchema),
  /** Present when more entries follow: pass it back for the next page. */
  continuationToken: z.string().optional(),
});
export type AuditList = z.infer<typeof auditListSchema>;

/** A page of the audit log, newest first (GET /api/audit). */
export async function listAuditEntries(deps: Pick<Deps, 'audit'>, rawQuery: unknown): Promise<Result<AuditList, Issue[]>> {
  const parsed = auditListQuerySchema.safeParse(rawQuery);
  if (!parsed.success) return fail(toIssues(parsed.error));
  const { limit, continuationToken } = parsed.data;
  try {
    return ok(await deps.audit.list({ limit, ...(continuationToken === undefined ? {} : { continuationToken }) }));
  } catch (error) {
    if (error instanceof ValidationError) return fail([...error.issues]);
    throw error;
  }
}
