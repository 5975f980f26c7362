import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../shared/clock.js';
import { loadConfig } from '../../../shared/config.js';
import { pacingLimitsOf } from '../../../shared/pacing/limits.js';
import { Pacer } from '../../../shared/pacing/pacer.js';
import { pacingGaugeReader } from '../../../shared/telemetry/pacingGauges.js';
import { InProcessPacingStore } from '../../helpers/casStores.js';
import { recordedMetrics } from '../../helpers/recordedMetrics.js';

/** A pacer over an in-process record, its gauges observed by an in-memory reader. */
function gauged() {
  const clock = new ManualClock();
  const config = loadConfig({ STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true', BUS_KIND: 'storage-queues' });
  const pacer = new Pacer(new InProcessPacingStore(), clock, pacingLimitsOf(config));
  const { metrics, collect } = recordedMetrics();
  metrics.observeGauges(pacingGaugeReader(pacer, clock));
  return { clock, pacer, collect };
}

describe('the pacing gauges', () => {
  it('report sessions in use and the status budget left in each window, read from the pacing record at collection', async () => {
    const { clock, pacer, collect } = gauged();
    await pacer.takeStatusCalls(3);
    const slot = await pacer.requestSlot({ deviceId: 'd1', runId: 'r1' });
    if (slot.kind !== 'admit') throw new Error(`expected an admission, got ${slot.kind}`);
    await pacer.recordSubmitted('d1', 'r1', 'act-1', clock.nowMs() + 15_000, slot.atMs);

    const points = await collect();

    expect(points).toEqual([
      { name: 'responder.pacing.sessions_in_use', attributes: {}, value: 1 },
      { name: 'responder.pacing.status_budget_left', attributes: { window: 'minute' }, value: 97 },
      { name: 'responder.pacing.status_budget_left', attributes: { window: 'hour' }, value: 1_497 },
      { name: 'responder.pacing.waiting_lines.runs', attributes: {}, value: 0 },
      { name: 'responder.pacing.waiting_lines.devices', attributes: {}, value: 0 },
    ]);
  });

  it('report the runs waiting in the devices’ lines and the devices with a line', async () => {
    const { pacer, collect } = gauged();
    // d1 and d2 are each reserved by their first run; three more runs wait for d1, one for d2.
    for (const runId of ['r1', 'r2', 'r3', 'r4']) await pacer.requestSlot({ deviceId: 'd1', runId });
    for (const runId of ['r5', 'r6']) await pacer.requestSlot({ deviceId: 'd2', runId });

    const points = await collect();

    expect(points.filter((p) => p.name.startsWith('responder.pacing.waiting_lines.'))).toEqual([
      { name: 'responder.pacing.waiting_lines.runs', attributes: {}, value: 4 },
      { name: 'responder.pacing.waiting_lines.devices', attributes: {}, value: 2 },
    ]);
  });
});
