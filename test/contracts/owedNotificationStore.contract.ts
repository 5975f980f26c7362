/**
 * The OwedNotificationStore conformance suite, run against the Table store on
 * Azurite and the in-memory fake.
 */
import { describe, expect, it } from 'vitest';
import type { NotifyMessage } from '../../shared/notify/events.js';
import type { OwedNotificationStore } from '../../shared/notify/owedStore.js';

const runEnded = (runId: string): NotifyMessage => ({
  id: `notify.webhook.run-ended.${runId}`,
  sink: 'webhook',
  event: { kind: 'run-ended', runId },
});

/** `makeStore` gives a fresh, empty store each time it is called. */
export function describeOwedNotificationStoreContract(adapter: string, makeStore: () => Promise<OwedNotificationStore>): void {
  describe(`OwedNotificationStore contract: ${adapter}`, () => {
    it('owes nothing until a notification is recorded, then lists it as recorded', async () => {
      const s = await makeStore();
      expect(await s.list(10)).toEqual([]);

      expect(await s.owe(runEnded('a-1'), 1_000)).toBe('recorded');

      expect(await s.list(10)).toEqual([{ message: runEnded('a-1'), owedSinceMs: 1_000 }]);
    });

    it('keeps the first record when the same notification is owed again', async () => {
      const s = await makeStore();
      await s.owe(runEnded('a-1'), 1_000);

      expect(await s.owe(runEnded('a-1'), 2_000)).toBe('exists');

      expect(await s.list(10)).toEqual([{ message: runEnded('a-1'), owedSinceMs: 1_000 }]);
    });

    it('lists at most the limit asked for', async () => {
      const s = await makeStore();
      for (const run of ['a-1', 'a-2', 'a-3']) await s.owe(runEnded(run), 1_000);

      const listed = await s.list(2);

      expect(listed).toHaveLength(2);
      expect(new Set(listed.map((o) => o.message.id)).size).toBe(2);
    });

    it('forgets a settled notification, and settling one not owed is no error', async () => {
      const s = await makeStore();
      await s.owe(runEnded('a-1'), 1_000);
      await s.owe(runEnded('a-2'), 1_000);

      await s.settle(runEnded('a-1').id);
      await s.settle('notify.teams.run-ended.never-owed');

      expect((await s.list(10)).map((o) => o.message.id)).toEqual([runEnded('a-2').id]);
    });

    it('keeps a dead-lettered notification whose id holds characters a table key refuses', async () => {
      const s = await makeStore();
      const message: NotifyMessage = {
        id: 'notify.teams.dead-lettered.x/y#z?',
        sink: 'teams',
        event: { kind: 'dead-lettered', queue: 'collect', reason: 'MalformedMessage', description: 'a\\b', atMs: 5 },
      };

      await s.owe(message, 5);

      expect(await s.list(10)).toEqual([{ message, owedSinceMs: 5 }]);
      await s.settle(message.id);
      expect(await s.list(10)).toEqual([]);
    });

    it('tallies nothing owed as exactly none, with no oldest time', async () => {
      const s = await makeStore();

      expect(await s.tally(10)).toEqual({ count: 0, countIs: 'exact' });
    });

    it('tallies every owed notification below the cap exactly, with the earliest time one was owed', async () => {
      const s = await makeStore();
      await s.owe(runEnded('a-1'), 5_000);
      await s.owe(runEnded('a-2'), 1_700_000_000_123);
      await s.owe(runEnded('a-3'), 2_000);
      await s.owe(runEnded('a-4'), 9_000);
      await s.settle(runEnded('a-4').id);

      expect(await s.tally(10)).toEqual({ count: 3, countIs: 'exact', oldestOwedSinceMs: 2_000 });
    });

    it('stops the tally at the cap and says there are at least that many', async () => {
      const s = await makeStore();
      for (const run of ['a-1', 'a-2', 'a-3']) await s.owe(runEnded(run), 1_000);

      expect(await s.tally(2)).toEqual({ count: 2, countIs: 'atLeast', oldestOwedSinceMs: 1_000 });
      expect(await s.tally(3)).toMatchObject({ count: 3, countIs: 'atLeast' });
      expect(await s.tally(4)).toMatchObject({ count: 3, countIs: 'exact' });
    });

    it('refuses to record a message that is not a notify message', async () => {
      const s = await makeStore();
      await expect(s.owe({ id: '', sink: 'webhook', event: { kind: 'run-ended', runId: 'a-1' } }, 1)).rejects.toThrow();
      expect(await s.list(10)).toEqual([]);
    });
  });
}
