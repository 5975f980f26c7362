/**
 * The DeviceDirectoryStore conformance suite, run against the Table store on
 * Azurite and the in-memory fake.
 */
import { describe, expect, it } from 'vitest';
import type { CachedDevice, DeviceDirectoryStore } from '../../shared/devices/directoryStore.js';
import { NotFoundError, PermanentError } from '../../shared/errors.js';

/** A device record with a distinct id for each number. */
export function device(n: number, facts: Partial<CachedDevice> = {}): CachedDevice {
  return { id: n.toString(16).padStart(40, '0'), name: `ws-${n}.contoso.local`, tags: [], osPlatform: 'Windows11', ...facts };
}

/** `makeStore` gives a fresh, empty store each time it is called. */
export function describeDeviceDirectoryStoreContract(adapter: string, makeStore: () => Promise<DeviceDirectoryStore>): void {
  describe(`DeviceDirectoryStore contract: ${adapter}`, () => {
    it('has no device until one is written, then reads back what was written', async () => {
      const s = await makeStore();
      const one = device(1, { tags: ['Tier0'], healthStatus: 'Active' });
      expect(await s.getMany([one.id])).toEqual(new Map());
      await s.write([one, device(2)], []);
      expect(await s.getMany([one.id, device(3).id])).toEqual(new Map([[one.id, one]]));
    });

    it('finds a device whatever the case of the id asked for', async () => {
      const s = await makeStore();
      await s.write([device(0xabc)], []);
      expect([...(await s.getMany([device(0xabc).id.toUpperCase()])).keys()]).toEqual([device(0xabc).id]);
    });

    it('writes and lists more devices than one transaction holds', async () => {
      const s = await makeStore();
      const many = Array.from({ length: 250 }, (_, i) => device(i + 1));
      await s.write(many, []);
      expect((await s.listAll()).map((d) => d.id).sort()).toEqual(many.map((d) => d.id).sort());
      expect((await s.getMany(many.map((d) => d.id))).size).toBe(250);
    });

    it('replaces a device written again and removes the ids it is told to, even ids it never held', async () => {
      const s = await makeStore();
      await s.write([device(1), device(2)], []);
      await s.write([device(1, { tags: ['Tier0'] })], [device(2).id, device(9).id]);
      expect(await s.listAll()).toEqual([device(1, { tags: ['Tier0'] })]);
    });

    it('refuses to write a device whose id is not a Defender device id', async () => {
      const s = await makeStore();
      await expect(s.write([{ id: 'not-a-device', tags: [] }], [])).rejects.toBeInstanceOf(PermanentError);
      expect(await s.listAll()).toEqual([]);
    });

    it('has no state until the first save, then refuses a save based on a stale read and a second first save', async () => {
      const s = await makeStore();
      expect(await s.loadState()).toBeUndefined();
      expect(await s.saveState({ refreshedMs: 5, missLookupsLeft: 20 }, undefined)).toBe('ok');
      const read = await s.loadState();
      expect(read?.value).toEqual({ refreshedMs: 5, missLookupsLeft: 20 });
      expect(await s.saveState({ refreshedMs: 5, missLookupsLeft: 19 }, read?.etag)).toBe('ok');
      expect(await s.saveState({ refreshedMs: 5, missLookupsLeft: 18 }, read?.etag)).toBe('conflict');
      expect(await s.saveState({ missLookupsLeft: 0 }, undefined)).toBe('conflict');
      expect((await s.loadState())?.value.missLookupsLeft).toBe(19);
    });

    it('keeps devices and state apart: the state is not listed as a device', async () => {
      const s = await makeStore();
      await s.saveState({ missLookupsLeft: 3 }, undefined);
      await s.write([device(1)], []);
      expect(await s.listAll()).toEqual([device(1)]);
    });

    it('refuses an etag quoted when no state is stored', async () => {
      const s = await makeStore();
      const other = await makeStore();
      await other.saveState({ missLookupsLeft: 1 }, undefined);
      const etag = (await other.loadState())?.etag;
      await expect(s.saveState({ missLookupsLeft: 1 }, etag)).rejects.toBeInstanceOf(NotFoundError);
    });

    it('refuses to hand out a stored state that does not match the schema', async () => {
      const s = await makeStore();
      await s.saveState({ missLookupsLeft: -1 }, undefined);
      await expect(s.loadState()).rejects.toBeInstanceOf(PermanentError);
    });
  });
}
