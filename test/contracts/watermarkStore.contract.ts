/**
 * The WatermarkStore conformance suite, run against the Table store on
 * Azurite and the in-memory fake.
 */
import { describe, expect, it } from 'vitest';
import { MAX_POLL_CURSOR_CHARS, type PollCursor, type WatermarkStore } from '../../shared/alerts/watermarkStore.js';
import { NotFoundError, PermanentError } from '../../shared/errors.js';

/** `makeStore` gives a fresh, empty store each time it is called. */
export function describeWatermarkStoreContract(adapter: string, makeStore: () => Promise<WatermarkStore>): void {
  describe(`WatermarkStore contract: ${adapter}`, () => {
    it('has nothing until the first save, then reads back what was saved', async () => {
      const s = await makeStore();
      expect(await s.load('defender-alerts')).toBeUndefined();
      expect(await s.save('defender-alerts', { watermarkMs: 5, recent: { 'a|5': 5 } }, undefined)).toBe('ok');
      expect((await s.load('defender-alerts'))?.value).toEqual({ watermarkMs: 5, recent: { 'a|5': 5 } });
    });

    it('refuses a save based on a stale read, and a second first save', async () => {
      const s = await makeStore();
      await s.save('w', { watermarkMs: 1, recent: {} }, undefined);
      const read = await s.load('w');
      expect(await s.save('w', { watermarkMs: 2, recent: {} }, read?.etag)).toBe('ok');
      expect(await s.save('w', { watermarkMs: 3, recent: {} }, read?.etag)).toBe('conflict');
      expect(await s.save('w', { watermarkMs: 4, recent: {} }, undefined)).toBe('conflict');
      expect((await s.load('w'))?.value.watermarkMs).toBe(2);
    });

    it('keeps one cursor per name', async () => {
      const s = await makeStore();
      await s.save('graph', { watermarkMs: 7, recent: {} }, undefined);
      expect(await s.load('defender')).toBeUndefined();
      expect(await s.save('defender', { watermarkMs: 8, recent: {} }, undefined)).toBe('ok');
      expect((await s.load('graph'))?.value.watermarkMs).toBe(7);
    });

    it('refuses an etag quoted for a name that has no cursor', async () => {
      const s = await makeStore();
      await s.save('other', { watermarkMs: 1, recent: {} }, undefined);
      const etag = (await s.load('other'))?.etag;
      await expect(s.save('missing', { watermarkMs: 1, recent: {} }, etag)).rejects.toBeInstanceOf(NotFoundError);
      expect(await s.load('missing')).toBeUndefined();
    });

    it(`refuses a cursor longer than ${MAX_POLL_CURSOR_CHARS} characters and keeps the one stored`, async () => {
      const s = await makeStore();
      await s.save('w', { watermarkMs: 1, recent: {} }, undefined);
      const read = await s.load('w');
      const recent = Object.fromEntries(Array.from({ length: 2_000 }, (_, i) => [`alert-${i}|1795000000000`, 1_795_000_000_000]));
      await expect(s.save('w', { watermarkMs: 2, recent }, read?.etag)).rejects.toBeInstanceOf(PermanentError);
      expect((await s.load('w'))?.value.watermarkMs).toBe(1);
    });

    it('refuses to hand out a stored cursor that does not match the schema', async () => {
      const s = await makeStore();
      await s.save('w', { watermarkMs: 'soon', recent: {} } as unknown as PollCursor, undefined);
      await expect(s.load('w')).rejects.toBeInstanceOf(PermanentError);
    });
  });
}
