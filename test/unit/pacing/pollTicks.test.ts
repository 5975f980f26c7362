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
