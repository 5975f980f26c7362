/**
 * The AlertAssemblyStore conformance suite, run against the Table store on
 * Azurite and the in-memory fake.
 */
import { describe, expect, it } from 'vitest';
import { MAX_ASSEMBLY_CHARS, type AlertAssembly } from '../../shared/alerts/assembly.js';
import type { AlertAssemblyStore } from '../../shared/alerts/assemblyStore.js';
import { NotFoundError, PermanentError } from '../../shared/errors.js';

const assembly = (alertId: string, overrides: Partial<AlertAssembly> = {}): AlertAssembly => ({
  alertId,
  firstSeenMs: 1,
  lastRowMs: 1,
  dueMs: 120_001,
  rows: [{ key: 'k1', table: 'evidence', entityType: 'Process', processId: 6324, commandLine: 'a "quoted" \\ line' }],
  droppedRows: 0,
  lateRows: 0,
  ...overrides,
});

/** `makeStore` gives a fresh, empty store each time it is called. */
export function describeAlertAssemblyStoreContract(adapter: string, makeStore: () => Promise<AlertAssemblyStore>): void {
  describe(`AlertAssemblyStore contract: ${adapter}`, () => {
    it('has nothing until the first save, then reads back what was saved', async () => {
      const s = await makeStore();
      expect(await s.load('da1')).toBeUndefined();
      expect(await s.save(assembly('da1'), undefined)).toBe('ok');
      expect((await s.load('da1'))?.value).toEqual(assembly('da1'));
    });

    it('refuses a save based on a stale read, and a second first save', async () => {
      const s = await makeStore();
      await s.save(assembly('da1'), undefined);
      const read = await s.load('da1');
      expect(await s.save(assembly('da1', { lateRows: 1 }), read?.etag)).toBe('ok');
      expect(await s.save(assembly('da1', { lateRows: 2 }), read?.etag)).toBe('conflict');
      expect(await s.save(assembly('da1', { lateRows: 3 }), undefined)).toBe('conflict');
      expect((await s.load('da1'))?.value.lateRows).toBe(1);
    });

    it('keeps one assembly per alert id, whatever characters the id holds', async () => {
      const s = await makeStore();
      await s.save(assembly('da/1#?'), undefined);
      expect(await s.load('da/1')).toBeUndefined();
      expect(await s.save(assembly('da/1'), undefined)).toBe('ok');
      expect((await s.load('da/1#?'))?.value.alertId).toBe('da/1#?');
    });

    it('refuses an etag quoted for an alert that has no assembly', async () => {
      const s = await makeStore();
      await s.save(assembly('other'), undefined);
      const etag = (await s.load('other'))?.etag;
      await expect(s.save(assembly('missing'), etag)).rejects.toBeInstanceOf(NotFoundError);
    });

    it(`stores an assembly near ${MAX_ASSEMBLY_CHARS} characters, refuses a longer one and keeps the one stored`, async () => {
      const s = await makeStore();
      const row = (i: number) => ({ key: `k${i}`, table: 'evidence' as const, commandLine: 'x'.repeat(8_000) });
      const large = assembly('big', { rows: Array.from({ length: 49 }, (_, i) => row(i)) });
      expect(await s.save(large, undefined)).toBe('ok');
      const read = await s.load('big');
      expect(read?.value.rows).toHaveLength(49);
      await expect(s.save(assembly('big', { rows: Array.from({ length: 52 }, (_, i) => row(i)) }), read?.etag)).rejects.toBeInstanceOf(
        PermanentError,
      );
      expect((await s.load('big'))?.value.rows).toHaveLength(49);
    });

    it('refuses to hand out a stored assembly that does not match the schema', async () => {
      const s = await makeStore();
      await s.save(assembly('bad', { dueMs: 'soon' } as unknown as Partial<AlertAssembly>), undefined);
      await expect(s.load('bad')).rejects.toBeInstanceOf(PermanentError);
    });
  });
}
