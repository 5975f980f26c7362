import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../shared/clock.js';
import { loadConfig } from '../../../shared/config.js';
import { Pacer } from '../../../shared/pacing/pacer.js';
import { pacingLimitsOf } from '../../../shared/pacing/limits.js';
import type { PacingState } from '../../../shared/pacing/state.js';
import { InProcessPacingStore } from '../../helpers/casStores.js';

const T0 = Date.parse('2026-12-04T10:00:00Z');
const limits = pacingLimitsOf(loadConfig({ STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true', BUS_KIND: 'storage-queues' }));

/** Commits the first write, then answers it as a conflict, as an SDK retry of a committed write sees it (412). */
class AmbiguousFirstWrite extends InProcessPacingStore {
  private ambiguous = true;
  override async save(state: PacingState, etag: string): Promise<'ok' | 'conflict'> {
    const answer = await super.save(state, etag);
    if (answer === 'ok' && this.ambiguous) {
      this.ambiguous = false;
      return 'conflict';
    }
    return answer;
  }
}

describe('the tenant-wide poll tick', () => {
  it('is sent by the caller whose write committed even when the write was answered as a conflict', async () => {
    const pacer = new Pacer(new AmbiguousFirstWrite(), new ManualClock(T0), limits);
    expect(await pacer.scheduleTick(T0 + 5_000)).toBe(1);
  });

  it('is not scheduled twice while one is due at or before the time asked', async () => {
    const pacer = new Pacer(new InProcessPacingStore(), new ManualClock(T0), limits);
    expect(await pacer.scheduleTick(T0 + 5_000)).toBe(1);
    expect(await pacer.scheduleTick(T0 + 9_000)).toBeUndefined();
    expect(await pacer.scheduleTick(T0 + 1_000)).toBe(2);
  });
});

describe('the poll-tick watchdog', () => {
  const GRACE_MS = 10 * 60_000;

  /** A pacer with one open action whose first look is due 30 s after T0, and the tick the submitter scheduled for it. */
  async function withOpenAction(): Promise<{ pacer: Pacer; clock: ManualClock; tickSeq: number }> {
    const clock = new ManualClock(T0);
    const pacer = new Pacer(new InProcessPacingStore(), clock, limits, GRACE_MS);
    const slot = await pacer.requestSlot({ deviceId: 'dev-1', runId: 'run-1' });
    expect(slot.kind).toBe('admit');
    await pacer.recordSubmitted('dev-1', 'run-1', 'action-1', T0 + 30_000);
    const tickSeq = await pacer.scheduleTick(T0 + 30_000);
    expect(tickSeq).toBeDefined();
    return { pacer, clock, tickSeq: tickSeq ?? 0 };
  }

  it('leaves a tick that is being handled alone, however late the watchdog fires during it', async () => {
    const { pacer, clock, tickSeq } = await withOpenAction();
    clock.advance(31_000);
    expect(await pacer.claimTick(tickSeq)).toHaveLength(1);
    // The tick's GET and updates are under way; its action is still due (nothing planned yet).
    clock.advance(20_000);
    expect(await pacer.reviveTick()).toBeUndefined();
  });

  it('gives a redelivery of a tick being handled none of the actions its first delivery is looking at', async () => {
    const { pacer, clock, tickSeq } = await withOpenAction();
    clock.advance(31_000);
    expect(await pacer.claimTick(tickSeq)).toHaveLength(1);
    // Its lock lapsed while the first delivery still waits for Defender: the same tick comes again.
    clock.advance(20_000);
    expect(await pacer.claimTick(tickSeq)).toEqual([]);
  });

  it('has the actions of a tick that died looked at once the grace has passed', async () => {
    const { pacer, clock, tickSeq } = await withOpenAction();
    clock.advance(31_000);
    await pacer.claimTick(tickSeq);
    clock.advance(GRACE_MS + 1);
    const revived = await pacer.reviveTick();
    expect(revived).toMatchObject({ loss: 'none-scheduled', atMs: T0 + 31_000 + GRACE_MS + 1 });
    expect(await pacer.claimTick(revived?.seq ?? 0)).toHaveLength(1);
  });

  it('leaves a tick due within the grace alone even when an action is due sooner (the minimum gap between ticks)', async () => {
    const clock = new ManualClock(T0);
    const pacer = new Pacer(new InProcessPacingStore(), clock, limits, GRACE_MS);
    await pacer.requestSlot({ deviceId: 'dev-1', runId: 'run-1' });
    await pacer.recordSubmitted('dev-1', 'run-1', 'action-1', T0 + 30_000);
    await pacer.scheduleTick(T0 + 35_000);
    clock.advance(31_000);
    expect(await pacer.reviveTick()).toBeUndefined();
    // What the old watchdog did: schedule one for the earliest due look, beside the live one.
    expect(await pacer.scheduleTick(Math.max(T0 + 30_000, clock.nowMs()))).toBeDefined();
  });

  it('revives the chain when the tick on record is overdue past the grace (its message was lost)', async () => {
    const { pacer, clock, tickSeq } = await withOpenAction();
    clock.advance(30_000 + GRACE_MS + 1);
    expect(await pacer.reviveTick()).toEqual({ seq: tickSeq + 1, atMs: T0 + 30_000 + GRACE_MS + 1, loss: 'overdue' });
  });

  it('revives the chain when a claimed tick never scheduled the next one within the grace', async () => {
    const { pacer, clock, tickSeq } = await withOpenAction();
    clock.advance(31_000);
    await pacer.claimTick(tickSeq);
    clock.advance(GRACE_MS + 1);
    expect(await pacer.reviveTick()).toMatchObject({ seq: tickSeq + 1, loss: 'none-scheduled' });
    expect(await pacer.reviveTick()).toBeUndefined();
  });

  it('does nothing when no action is open', async () => {
    const clock = new ManualClock(T0);
    const pacer = new Pacer(new InProcessPacingStore(), clock, limits, GRACE_MS);
    clock.advance(GRACE_MS * 3);
    expect(await pacer.reviveTick()).toBeUndefined();
  });
});
