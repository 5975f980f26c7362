import { auditEntrySchema, type AuditEntry, type AuditLog, type AuditPage } from '../../shared/audit/auditLog.js';
import { PermanentError, ValidationError } from '../../shared/errors.js';

/** The in-memory audit log for unit tests; held to test/contracts/auditLog.contract.ts like the Table adapter. */
export class MemoryAuditLog implements AuditLog {
  readonly entries = new Map<string, AuditEntry>();

  append(entry: AuditEntry): Promise<void> {
    const checked = auditEntrySchema.parse(entry);
    if (this.entries.has(checked.id)) return Promise.reject(new PermanentError(`audit entry ${checked.id} exists already`));
    this.entries.set(checked.id, structuredClone(checked));
    return Promise.resolve();
  }

  list(query: { limit: number; continuationToken?: string }): Promise<AuditPage> {
    const sorted = [...this.entries.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    if (query.continuationToken !== undefined && !/^\d+$/.test(query.continuationToken))
      return Promise.reject(
        new ValidationError('audit continuation token is not one this log issued', [
          { path: 'continuationToken', message: 'not a token this API issued' },
        ]),
      );
    const start = query.continuationToken ? Number(query.continuationToken) : 0;
    const entries = sorted.slice(start, start + query.limit).map((e) => structuredClone(e));
    const next = start + query.limit;
    return Promise.resolve({ entries, ...(next < sorted.length ? { continuationToken: String(next) } : {}) });
  }

  /** Every entry, newest first (tests). */
  all(): AuditEntry[] {
    return [...this.entries.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  }
}
