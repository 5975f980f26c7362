/**
 * The DeadLetterStore conformance suite, run against the in-memory fake, the
 * storage-queue adapter (Azurite) and the Service Bus adapter (the real SDK
 * against the AMQP broker double): what an operator lists, replays and purges
 * is the same whichever bus carries the messages.
 */
import { describe, expect, it } from 'vitest';
import type { DeadLetterEntry, DeadLetterStore } from '../../shared/bus/deadLetterStore.js';
import type { DeadLetterReason, QueueName } from '../../shared/bus/port.js';

/** The preview bound every harness gives its store. */
export const CONTRACT_PREVIEW_BYTES = 256;

export interface DeadLetterHarness {
  store: DeadLetterStore;
  /** Rejects a message the way the responder does (`bus.deadLetter`: the poison queue). */
  poison(queue: QueueName, body: unknown, reason: DeadLetterReason): Promise<void>;
  /** Has the broker dead-letter a message itself (Service Bus only; absent where the bus has no native dead-letter queue). */
  native?: (queue: QueueName, body: unknown, messageId: string) => Promise<void>;
  /** Takes what has arrived on the source queue since the last call. */
  arrived(queue: QueueName): Promise<{ messageId: string; body: unknown }[]>;
}

async function everything(store: DeadLetterStore, limit: number): Promise<DeadLetterEntry[]> {
  const all: DeadLetterEntry[] = [];
  let after: string | undefined;
  do {
    const page = await store.list({}, { limit, ...(after === undefined ? {} : { after }) });
    expect(page.entries.length).toBeLessThanOrEqual(limit);
    all.push(...page.entries);
    after = page.next;
  } while (after !== undefined);
  return all;
}

const reason = (n: number): DeadLetterReason => ({
  reason: 'MalformedMessage',
  description: `runId: required (${n})`,
  originalMessageId: `m-${n}`,
});

/** `makeHarness` gives fresh, empty dead-letter queues each time. */
export function describeDeadLetterStoreContract(adapter: string, makeHarness: () => Promise<DeadLetterHarness>): void {
  describe(`DeadLetterStore contract: ${adapter}`, () => {
    it('lists a rejected message with its queue, source, reason, description, ids, first-seen time and body preview', async () => {
      const h = await makeHarness();
      const before = Date.now();
      await h.poison('actions', { runId: 7 }, reason(1));
      const { entries, next } = await h.store.list({}, { limit: 10 });
      expect(next).toBeUndefined();
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({
        queue: 'actions',
        source: 'poison',
        reason: 'MalformedMessage',
        description: 'runId: required (1)',
        messageId: 'm-1',
        originalMessageId: 'm-1',
        preview: '{"runId":7}',
        previewTruncated: false,
      });
      expect(entries[0]?.id).toMatch(/^actions:poison:/);
      expect(entries[0]?.firstSeenMs).toBeGreaterThan(before - 60_000);
    });

    it('hides a SAS link and an account key in the preview and cuts it to the bound', async () => {
      const h = await makeHarness();
      const body = {
        note: 'see https://acct.blob.core.windows.net/c/b?sv=2024&sig=SECRETSIG and AccountKey=SECRETKEY;',
        sasToken: 'SECRETTOKEN',
        padding: 'x'.repeat(CONTRACT_PREVIEW_BYTES * 2),
      };
      await h.poison('collect', body, reason(2));
      const [entry] = (await h.store.list({}, { limit: 10 })).entries;
      expect(entry?.preview).not.toMatch(/SECRET|acct\.blob/);
      expect(entry?.preview).toContain('[url redacted]');
      expect(entry?.preview).toContain('AccountKey=[redacted]');
      expect(Buffer.byteLength(entry?.preview ?? '')).toBeLessThanOrEqual(CONTRACT_PREVIEW_BYTES);
      expect(entry?.previewTruncated).toBe(true);
    });

    it('pages through more dead letters than one storage peek shows, each once, and leaves them in place', async () => {
      const h = await makeHarness();
      for (let n = 0; n < 40; n++) await h.poison('alerts', { n }, reason(n));
      const first = await everything(h.store, 15);
      expect(new Set(first.map((e) => e.messageId)).size).toBe(40);
      expect((await everything(h.store, 40)).map((e) => e.id)).toEqual(first.map((e) => e.id));
    });

    it('filters by queue, by source and by reason (case-insensitive)', async () => {
      const h = await makeHarness();
      await h.poison('alerts', { a: 1 }, reason(1));
      await h.poison('collect', { c: 1 }, { reason: 'TransferFailed', description: 'gone', originalMessageId: 'c-1' });
      const byQueue = await h.store.list({ queues: ['collect'] }, { limit: 10 });
      expect(byQueue.entries.map((e) => e.messageId)).toEqual(['c-1']);
      const byReason = await h.store.list({ reason: 'transferfailed' }, { limit: 10 });
      expect(byReason.entries.map((e) => e.messageId)).toEqual(['c-1']);
      expect((await h.store.list({ source: 'native' }, { limit: 10 })).entries).toEqual([]);
    });

    it('replays a dead letter to its queue under a new deterministic id, removes it, and does not replay it twice', async () => {
      const h = await makeHarness();
      await h.poison('actions', { runId: 'r1', deviceId: 'd1' }, reason(1));
      await h.poison('actions', { runId: 'r2', deviceId: 'd2' }, reason(2));
      const [entry, other] = (await h.store.list({}, { limit: 10 })).entries;
      if (!entry || !other) throw new Error('expected two dead letters');
      const key = entry.id.split(':').slice(2).join(':');
      expect(await h.store.replay([entry.id, 'actions:poison:nope'])).toEqual([
        { id: entry.id, outcome: 'replayed', replayMessageId: `${entry.messageId}.replay-${key}` },
        { id: 'actions:poison:nope', outcome: 'not-found' },
      ]);
      expect(await h.arrived('actions')).toEqual([
        { messageId: `${entry.messageId}.replay-${key}`, body: { runId: 'r1', deviceId: 'd1' } },
      ]);
      expect(await h.store.replay([entry.id])).toEqual([{ id: entry.id, outcome: 'not-found' }]);
      expect(await h.arrived('actions')).toEqual([]);
      expect((await h.store.list({}, { limit: 10 })).entries.map((e) => e.id)).toEqual([other.id]);
    });

    it('purges dead letters for good and says which ids it did not find', async () => {
      const h = await makeHarness();
      await h.poison('polls', { seq: 'x' }, reason(1));
      await h.poison('polls', { seq: 'y' }, reason(2));
      const ids = (await h.store.list({}, { limit: 10 })).entries.map((e) => e.id);
      const [first] = ids;
      expect(await h.store.purge([first ?? '', 'polls:poison:nope'])).toEqual([
        { id: first, outcome: 'purged' },
        { id: 'polls:poison:nope', outcome: 'not-found' },
      ]);
      expect((await h.store.list({}, { limit: 10 })).entries.map((e) => e.id)).toEqual(ids.slice(1));
      expect(await h.arrived('polls')).toEqual([]);
    });

    it("lists, replays and purges what the broker dead-lettered itself, with the broker's reason and delivery count", async (ctx) => {
      const h = await makeHarness();
      if (!h.native) return ctx.skip();
      await h.native('alerts', { id: 'alert-1' }, 'alert:1');
      await h.native('alerts', { id: 'alert-2' }, 'alert:2');
      const { entries } = await h.store.list({ source: 'native' }, { limit: 10 });
      expect(entries).toHaveLength(2);
      expect(entries[0]).toMatchObject({ queue: 'alerts', source: 'native', reason: 'MaxDeliveryCountExceeded', messageId: 'alert:1' });
      expect(entries[0]?.deliveryCount).toBeGreaterThanOrEqual(1);
      const [one, two] = entries;
      expect((await h.store.replay([one?.id ?? '']))[0]).toMatchObject({ outcome: 'replayed' });
      expect(await h.arrived('alerts')).toMatchObject([{ body: { id: 'alert-1' } }]);
      expect((await h.store.purge([two?.id ?? '']))[0]).toMatchObject({ outcome: 'purged' });
      expect((await h.store.list({}, { limit: 10 })).entries).toEqual([]);
    });
  });
}
