/**
 * The app as the composition root builds it, against Azurite, with metrics
 * on: the gauges are read from the stores the status reads (the pacing record,
 * the owed notifications' table) at each collection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite, type RunningAzurite } from '../../../local/azurite.js';
import { ManualClock } from '../../../shared/clock.js';
import { buildApp } from '../../../shared/composition.js';
import { loadConfig } from '../../../shared/config.js';
import { silentLogger } from '../../../shared/log.js';
import { recordedMetrics } from '../../helpers/recordedMetrics.js';

let azurite: RunningAzurite;
beforeAll(async () => {
  azurite = await startAzurite();
}, 60_000);
afterAll(async () => {
  await azurite?.stop();
});

describe('the gauges of the app the composition root builds', () => {
  it('report the notifications owed in its table, their oldest age, and the runs waiting in the devices’ lines', async () => {
    const clock = new ManualClock(1_800_000_000_000);
    const { metrics, collect } = recordedMetrics();
    const config = loadConfig({
      STORAGE_CONNECTION_STRING: azurite.connectionString,
      BUS_KIND: 'storage-queues',
      NOTIFY_OWED_TABLE: 'gaugesowed',
      PACING_TABLE: 'gaugespacing',
    });
    const credential = { getToken: () => Promise.resolve({ token: 't', expiresOnTimestamp: clock.nowMs() + 3_600_000 }) };
    const { services } = await buildApp(config, { clock, credential, logger: silentLogger, metrics });
    const { owedNotifications, pacer } = services.deps;
    await owedNotifications.owe(
      { id: 'notify.webhook.run-ended.g-1', sink: 'webhook', event: { kind: 'run-ended', runId: 'g-1' } },
      clock.nowMs(),
    );
    for (const runId of ['g-1', 'g-2', 'g-3']) await pacer.requestSlot({ deviceId: 'd1', runId });
    clock.advance(45_000);

    const points = await collect();

    const value = (name: string): number | undefined => points.find((p) => p.name === name)?.value;
    expect(value('responder.notify.owed')).toBe(1);
    expect(value('responder.notify.owed_oldest_age')).toBe(45_000);
    expect(value('responder.pacing.waiting_lines.runs')).toBe(2);
    expect(value('responder.pacing.waiting_lines.devices')).toBe(1);
    await services.close();
  });
});
