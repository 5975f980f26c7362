import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../shared/clock.js';
import type { NotifyMessage } from '../../../shared/notify/events.js';
import { owedGaugeReader } from '../../../shared/telemetry/owedGauges.js';
import { MemoryOwedNotificationStore } from '../../helpers/memoryOwedNotificationStore.js';
import { recordedMetrics } from '../../helpers/recordedMetrics.js';

const runEnded = (runId: string): NotifyMessage => ({
  id: `notify.teams.run-ended.${runId}`,
  sink: 'teams',
  event: { kind: 'run-ended', runId },
});

function gauged(countMax: number) {
  const clock = new ManualClock();
  const store = new MemoryOwedNotificationStore();
  const { metrics, collect } = recordedMetrics();
  metrics.observeGauges(owedGaugeReader(store, clock, countMax));
  return { clock, store, collect };
}

describe('the owed-notification gauges', () => {
  it('report none owed, and no oldest age, on a healthy responder', async () => {
    const { collect } = gauged(1_000);

    expect(await collect()).toEqual([{ name: 'responder.notify.owed', attributes: {}, value: 0 }]);
  });

  it('report how many notifications are owed and how long the oldest has been, read at collection', async () => {
    const { clock, store, collect } = gauged(1_000);
    await store.owe(runEnded('a-1'), clock.nowMs());
    clock.advance(240_000);
    await store.owe(runEnded('a-2'), clock.nowMs());
    clock.advance(60_000);

    expect(await collect()).toEqual([
      { name: 'responder.notify.owed', attributes: {}, value: 2 },
      { name: 'responder.notify.owed_oldest_age', attributes: {}, value: 300_000 },
    ]);
  });

  it('stop counting at the bound', async () => {
    const { clock, store, collect } = gauged(2);
    for (const run of ['a-1', 'a-2', 'a-3']) await store.owe(runEnded(run), clock.nowMs());

    expect((await collect()).find((p) => p.name === 'responder.notify.owed')?.value).toBe(2);
  });
});
