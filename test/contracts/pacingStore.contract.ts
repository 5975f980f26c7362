/**
 * The PacingStore conformance suite: one set of expectations for every
 * adapter of the compare-and-swap port (the Table store on Azurite and the
 * in-memory fake), so a fake cannot drift from what production does.
 */
import { describe, expect, it } from 'vitest';
import type { PacingStore } from '../../shared/pacing/pacer.js';
import { MAX_WAITERS, MAX_WAITERS_PER_DEVICE } from '../../shared/pacing/deviceQueue.js';
import { MAX_RESERVATIONS } from '../../shared/pacing/sendSlots.js';
import { emptyPacingState, type PacingState } from '../../shared/pacing/state.js';

/** `makeStore` gives a fresh, empty store each time it is called. */
export function describePacingStoreContract(adapter: string, makeStore: () => Promise<PacingStore>): void {
  describe(`PacingStore contract: ${adapter}`, () => {
    it('starts empty and refuses a write based on a stale read', async () => {
      const s = await makeStore();
      const first = await s.load();
      expect(first.value).toEqual(emptyPacingState());
      expect(await s.save({ ...first.value, penaltyUntilMs: 5 }, first.etag)).toBe('ok');
      expect(await s.save({ ...first.value, penaltyUntilMs: 9 }, first.etag)).toBe('conflict');
      expect((await s.load()).value.penaltyUntilMs).toBe(5);
    });

    it('gives every saved state a new etag, and the newest etag wins', async () => {
      const s = await makeStore();
      const first = await s.load();
      expect(await s.save({ ...first.value, penaltyUntilMs: 1 }, first.etag)).toBe('ok');
      const second = await s.load();
      expect(second.etag).not.toBe(first.etag);
      expect(await s.save({ ...second.value, penaltyUntilMs: 2 }, second.etag)).toBe('ok');
      expect((await s.load()).value.penaltyUntilMs).toBe(2);
    });

    it("reads back what was saved, untouched by the caller's later changes", async () => {
      const s = await makeStore();
      const { value, etag } = await s.load();
      const state: PacingState = {
        ...value,
        slotsMs: [1_795_000_000_000, 1_795_000_006_000],
        holds: {
          dev1: { kind: 'reserved', runId: 'm-1', slotMs: 1_795_000_006_000, expiresMs: 1_795_000_600_000 },
          dev2: { kind: 'open', runId: 'm-2', expiresMs: 1_795_000_900_000, submittedMs: 1_795_000_000_000, nextPollMs: 1_795_000_060_000 },
        },
        busy: { dev3: { count: 2, untilMs: 1_795_000_120_000 } },
        statusMinutes: [[29_916_666, 3]],
        tick: { seq: 4, atMs: 1_795_000_060_000 },
        ceiling: { calls: 6, untilMs: 1_795_003_600_000 },
        queues: { dev2: [{ runId: 'm-3', untilMs: 1_795_000_720_000 }] },
      };
      const expected = structuredClone(state);
      expect(await s.save(state, etag)).toBe('ok');
      state.slotsMs.push(1);
      state.tick.seq = 99;
      expect((await s.load()).value).toEqual(expected);
    });

    it('holds the largest state the bounds allow: every reservation and every device line full', async () => {
      const s = await makeStore();
      const { value, etag } = await s.load();
      const deviceId = (n: number): string => n.toString(16).padStart(40, 'b');
      const runId = (n: number): string => `a-${n.toString(16).padStart(20, '0')}`;
      const at = 1_795_000_000_000;
      const slotsMs = Array.from({ length: MAX_RESERVATIONS }, (_, i) => at + i * 6_100);
      const state: PacingState = {
        ...value,
        slotsMs,
        holds: Object.fromEntries(
          slotsMs.map((slotMs, i) => [deviceId(i), { kind: 'reserved' as const, runId: runId(i), slotMs, expiresMs: slotMs + 600_000 }]),
        ),
        queues: Object.fromEntries(
          Array.from({ length: MAX_WAITERS / MAX_WAITERS_PER_DEVICE }, (_, d) => [
            deviceId(d),
            Array.from({ length: MAX_WAITERS_PER_DEVICE }, (_, w) => ({ runId: runId(1_000 + d * 1_000 + w), untilMs: at + 3_600_000 })),
          ]),
        ),
      };
      expect(await s.save(state, etag)).toBe('ok');
      expect((await s.load()).value).toEqual(state);
    });

    it('refuses to hand out a stored state that does not match the schema', async () => {
      const s = await makeStore();
      const { value, etag } = await s.load();
      const broken = { ...value, holds: { dev1: { kind: 'lost' } } } as unknown as PacingState;
      expect(await s.save(broken, etag)).toBe('ok');
      await expect(s.load()).rejects.toThrow(/pacing state .*not valid/);
    });
  });
}
