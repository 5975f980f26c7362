import { randomUUID } from 'node:crypto';
import { auditEntryId, type AuditEntry } from '../../audit/auditLog.js';
import type { Principal } from '../../auth/principal.js';
import type { Deps } from '../deps.js';

/** Who is calling, as verified, and where the request came from. */
export interface Caller {
  principal: Principal;
  /** The Functions invocation id. */
  requestId: string;
  sourceAddress?: string;
}

export type AuditDeps = Pick<Deps, 'audit' | 'clock'>;

export type AuditRecord = Pick<AuditEntry, 'action' | 'outcome'> &
  Partial<Pick<AuditEntry, 'target' | 'reason' | 'detail'>> & {
    /** Undefined when the caller could not be verified. */
    principal?: Principal;
    requestId: string;
    sourceAddress?: string;
  };

/** Appends one operator action (or refused attempt) to the audit log, who as verified, when from the clock. */
export async function recordAudit(deps: AuditDeps, record: AuditRecord): Promise<void> {
  const atMs = deps.clock.nowMs();
  const { principal, ...rest } = record;
  const who = principal && { objectId: principal.objectId, name: principal.name, kind: principal.kind, roles: principal.roles };
  await deps.audit.append({
    id: auditEntryId(atMs, `${record.requestId}-${randomUUID().slice(0, 8)}`),
    atMs,
    ...rest,
    ...(who ? { who } : {}),
  });
}
