import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InProcessWatermarkStore } from '../../helpers/casStores.js';
import { loadConfig } from '../../../shared/config.js';
import { DefenderClient } from '../../../shared/defender/client.js';
import { DEFENDER_SCOPE } from '../../../shared/defender/port.js';
import { silentLogger } from '../../../shared/log.js';
import { handleAlertMessage } from '../../../shared/services/intake/alertIntake.js';
import { pollAlerts } from '../../../shared/services/intake/alertPoller.js';
import { SimulatorCredential } from '../../../simulator/index.js';
import { alertFixture } from '../../helpers/alerts.js';
import { fakeDeps, RecordingBus } from '../../helpers/fakes.js';
import { startTestSimulator, type TestSimulator } from '../../helpers/simulator.js';

describe('the alert poller against the simulator', () => {
  let t: TestSimulator;
  beforeEach(async () => {
    t = await startTestSimulator();
  });
  afterEach(async () => {
    await t.close();
  });

  it('pulls alerts updated since the watermark with their evidence, and the intake answers them', async () => {
    const client = new DefenderClient({
      baseUrl: t.sim.url,
      credential: new SimulatorCredential({ clock: t.clock }),
      scope: DEFENDER_SCOPE,
      requestTimeoutMs: 10_000,
      defaultRetryAfterMs: 1_000,
      linkPolicy: { hostSuffixes: [], allowHttpLoopback: true },
    });
    const now = t.clock.nowMs();
    const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '0000Z');
    t.sim.addAlert({ ...alertFixture('defender-api-alert'), lastUpdateTime: iso(now - 10 * 60_000) });
    t.sim.addAlert({ ...alertFixture('defender-api-alert'), id: 'da-too-old', lastUpdateTime: iso(now - 5 * 3_600_000) });
    const config = loadConfig({
      STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
      BUS_KIND: 'storage-queues',
      ALERT_POLL_CRON: '0 */5 * * * *',
    });
    const bus = new RecordingBus();
    const watermarks = new InProcessWatermarkStore();

    const outcome = await pollAlerts({ config, clock: t.clock, logger: silentLogger, bus, feed: client, watermarks });

    expect(outcome).toMatchObject({ kind: 'polled', fetched: 1, enqueued: 1, watermarkMs: now - 10 * 60_000 });
    const [message] = bus.take('alerts');
    expect((message?.body as { evidence: unknown[] }).evidence).toHaveLength(2);
    const deps = fakeDeps();
    expect(await handleAlertMessage(deps, message?.body, { messageId: message?.messageId ?? '', deliveryCount: 1 })).toMatchObject({
      kind: 'started',
    });
    t.clock.advance(5 * 60_000);
    expect(await pollAlerts({ config, clock: t.clock, logger: silentLogger, bus, feed: client, watermarks })).toMatchObject({
      enqueued: 0,
    });
  });
});
