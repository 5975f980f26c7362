import { z } from 'zod';
import { roleSchema } from '../auth/roles.js';

/**
 * What operators do that the audit log records; `api.request` is a request
 * to any other route that was refused (every refused attempt is recorded).
 */
export const AUDITED_ACTIONS = [
  'run.start',
  'dryrun',
  'run.cancel',
  'evidence.download',
  'deadletters.replay',
  'deadletters.purge',
  'api.request',
] as const;
export type AuditedAction = (typeof AUDITED_ACTIONS)[number];

/**
 * One operator action, appended once and never changed: who (as verified),
 * with which roles, when, what, on what, why, and from where. A refused
 * attempt is recorded too, with `outcome: refused` and the refusal.
 */
export const auditEntrySchema = z.object({
  /** Unique and sortable: newer entries sort first in the store (see AuditLog.list). */
  id: z.string().min(1).max(200),
  atMs: z.number().int().nonnegative(),
  action: z.enum(AUDITED_ACTIONS),
  outcome: z.enum(['done', 'refused', 'invalid']),
  /** Absent when the caller could not be verified at all (a 401). */
  who: z
    .object({
      objectId: z.string().max(200),
      name: z.string().max(500),
      kind: z.enum(['user', 'app']),
      roles: z.array(roleSchema),
    })
    .optional(),
  /** A run id, a route. */
  target: z.string().max(500).optional(),
  /** The operator's reason, required for runs and cancels. */
  reason: z.string().max(1_000).optional(),
  /** The refusal or validation problem, or what was done (e.g. the devices of a run). */
  detail: z.string().max(2_000).optional(),
  /** The Functions invocation id of the request. */
  requestId: z.string().max(200),
  /** The client address as the platform reports it (X-Forwarded-For), when it does. */
  sourceAddress: z.string().max(200).optional(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

export interface AuditPage {
  /** Newest first. */
  entries: AuditEntry[];
  continuationToken?: string;
}

/**
 * The append-only audit log (Table Storage; the in-memory fake in
 * test/helpers; both pass test/contracts/auditLog.contract.ts). There is no
 * update or delete: an entry, once appended, is what the log says.
 */
export interface AuditLog {
  /** Appends the entry; a second entry with the same id is refused (PermanentError) and the first kept. */
  append(entry: AuditEntry): Promise<void>;
  /** A page of entries, newest first. A continuation token this log did not issue is a ValidationError (naming continuationToken). */
  list(query: { limit: number; continuationToken?: string }): Promise<AuditPage>;
}

/** An entry id that sorts newest first: the time counted down from the last instant a Date can hold, then a unique part. */
export function auditEntryId(atMs: number, unique: string): string {
  return `${String(8_640_000_000_000_000 - atMs).padStart(16, '0')}-${unique.replace(/[^A-Za-z0-9-]/g, '').slice(0, 100)}`;
}
