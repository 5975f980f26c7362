import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../shared/clock.js';
import { LEDGER_FULL_HINT_MS, Pacer } from '../../../shared/pacing/pacer.js';
import { MAX_RESERVATIONS } from '../../../shared/pacing/sendSlots.js';
import type { PacingState } from '../../../shared/pacing/state.js';
import type { Versioned } from '../../../shared/runs/model.js';
import { InProcessPacingStore } from '../../helpers/casStores.js';
import { limits } from './pacingLimits.js';

const T0 = Date.parse('2026-12-05T10:00:00Z');

/** Counts reads of the tenant-wide record. */
class CountingStore extends InProcessPacingStore {
  reads = 0;
  override load(): Promise<Versioned<PacingState>> {
    this.reads += 1;
    return super.load();
  }
}

const devices = (prefix: string, n: number): { deviceId: string; runId: string }[] =>
  Array.from({ length: n }, (_, i) => ({ deviceId: `${prefix}${i}`, runId: `run-${prefix}${i}` }));

/** A pacer whose ledger has just been filled to the reservation cap by one run. */
async function fullLedger(): Promise<{ pacer: Pacer; store: CountingStore; clock: ManualClock }> {
  const store = new CountingStore();
  const clock = new ManualClock(T0);
  const pacer = new Pacer(store, clock, limits);
  expect((await pacer.bookSlots(devices('a', MAX_RESERVATIONS))).size).toBe(MAX_RESERVATIONS);
  return { pacer, store, clock };
}

describe('booking send slots at intake', () => {
  it('books a slot free now for now, so an idle quota sends at once', async () => {
    const pacer = new Pacer(new InProcessPacingStore(), new ManualClock(T0), limits);
    expect(await pacer.bookSlots(devices('d', 1))).toEqual(new Map([['d0', T0]]));
  });

  it('reads the pacing record no more for runs started while the ledger is full', async () => {
    const { pacer, store, clock } = await fullLedger();
    const readsAfterFilling = store.reads;
    for (let i = 0; i < 50; i++) {
      clock.advance(50);
      expect((await pacer.bookSlots(devices(`b${i}-`, 1))).size).toBe(0);
    }
    expect(store.reads).toBe(readsAfterFilling);
  });

  it('looks at the ledger again once the hint has lapsed, and books what a given-back reservation freed', async () => {
    const { pacer, store, clock } = await fullLedger();
    await pacer.release('a0', 'run-a0');
    clock.advance(LEDGER_FULL_HINT_MS - 1);
    expect((await pacer.bookSlots(devices('c', 1))).size).toBe(0);
    const reads = store.reads;
    clock.advance(1);
    expect((await pacer.bookSlots(devices('c', 1))).size).toBe(1);
    expect(store.reads).toBe(reads + 1);
  });
});
