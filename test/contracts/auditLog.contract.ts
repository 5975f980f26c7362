/**
 * The AuditLog conformance suite, run against the Table adapter on Azurite
 * and the in-memory fake.
 */
import { describe, expect, it } from 'vitest';
import { auditEntryId, type AuditEntry, type AuditLog } from '../../shared/audit/auditLog.js';
import { PermanentError, ValidationError } from '../../shared/errors.js';

const T0 = Date.parse('2026-12-05T10:00:00Z');

function entry(atMs: number, requestId: string, changes: Partial<AuditEntry> = {}): AuditEntry {
  return {
    id: auditEntryId(atMs, requestId),
    atMs,
    action: 'run.start',
    outcome: 'done',
    who: { objectId: '00000000-0000-0000-0000-000000000001', name: 'analyst@contoso.com', kind: 'user', roles: ['Responder.Run'] },
    target: 'm-0123',
    reason: 'INC-42: collect memory',
    requestId,
    ...changes,
  };
}

/** `makeLog` gives a fresh, empty log each time it is called. */
export function describeAuditLogContract(adapter: string, makeLog: () => Promise<AuditLog>): void {
  describe(`AuditLog contract: ${adapter}`, () => {
    it('reads back every appended entry, newest first, a page at a time', async () => {
      const log = await makeLog();
      for (let i = 0; i < 5; i++) await log.append(entry(T0 + i * 1_000, `req-${i}`));
      const first = await log.list({ limit: 3 });
      expect(first.entries.map((e) => e.requestId)).toEqual(['req-4', 'req-3', 'req-2']);
      expect(first.continuationToken).toBeDefined();
      const second = await log.list({ limit: 3, continuationToken: first.continuationToken });
      expect(second.entries.map((e) => e.requestId)).toEqual(['req-1', 'req-0']);
      expect(second.continuationToken).toBeUndefined();
      expect(second.entries[1]).toEqual(entry(T0, 'req-0'));
    });

    it('refuses a continuation token it did not issue, naming the field', async () => {
      const log = await makeLog();
      await log.append(entry(T0, 'req-1'));
      await expect(log.list({ limit: 1, continuationToken: 'made-up' })).rejects.toThrow(ValidationError);
      await expect(log.list({ limit: 1, continuationToken: 'made-up' })).rejects.toMatchObject({ issues: [{ path: 'continuationToken' }] });
    });

    it('never replaces an entry: a second append of the same id is refused and the first is kept', async () => {
      const log = await makeLog();
      await log.append(entry(T0, 'req-1'));
      await expect(log.append(entry(T0, 'req-1', { reason: 'rewritten' }))).rejects.toThrow(PermanentError);
      expect((await log.list({ limit: 10 })).entries.map((e) => e.reason)).toEqual(['INC-42: collect memory']);
    });

    it('records a refused attempt by an unverified caller, with no identity', async () => {
      const log = await makeLog();
      await log.append(entry(T0, 'req-9', { outcome: 'refused', who: undefined, detail: '401 Unauthenticated: sign in' }));
      expect((await log.list({ limit: 1 })).entries[0]).toMatchObject({ outcome: 'refused', detail: '401 Unauthenticated: sign in' });
      expect((await log.list({ limit: 1 })).entries[0]?.who).toBeUndefined();
    });
  });
}
