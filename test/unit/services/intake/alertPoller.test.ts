import { describe, expect, it } from 'vitest';
import { InProcessWatermarkStore } from '../../../helpers/casStores.js';
import { loadConfig } from '../../../../shared/config.js';
import { pollAlerts, WATERMARK_NAME } from '../../../../shared/services/intake/alertPoller.js';
import { fakeDeps } from '../../../helpers/fakes.js';

const config = loadConfig({
  STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
  BUS_KIND: 'storage-queues',
  ALERT_POLL_CRON: '0 */5 * * * *',
  ALERT_POLL_PAGE_SIZE: '2',
});
const alert = (id: string, updated: string) => ({ id, lastUpdateTime: updated, machineId: '1e5bc9d7e413ddd7902c2932e418702b84d0cc07' });

function setUp(alerts: unknown[]) {
  const deps = fakeDeps({ config });
  const watermarks = new InProcessWatermarkStore();
  deps.defender.onAlerts = (q) =>
    Promise.resolve(
      alerts.filter((a) => Date.parse((a as { lastUpdateTime: string }).lastUpdateTime) > q.updatedAfterMs).slice(q.skip, q.skip + q.top),
    );
  return { deps, watermarks, poll: () => pollAlerts({ ...deps, feed: deps.defender, watermarks }) };
}

describe('the alert poller', () => {
  it('is off unless ALERT_POLL_CRON is set', async () => {
    const deps = fakeDeps();
    expect(await pollAlerts({ ...deps, feed: deps.defender, watermarks: new InProcessWatermarkStore() })).toEqual({ kind: 'disabled' });
    expect(deps.defender.calls).toEqual([]);
  });

  it('first looks back its configured window, pages through, enqueues each alert with a deterministic id, and stores the watermark', async () => {
    const now = Date.UTC(2026, 10, 20, 9, 0, 0);
    const { deps, watermarks, poll } = setUp([
      alert('a1', '2026-11-20T08:30:00Z'),
      alert('a2', '2026-11-20T08:40:00Z'),
      alert('a3', '2026-11-20T08:50:00.1234567Z'),
      alert('old', '2026-11-20T07:00:00Z'),
    ]);
    const outcome = await poll();
    expect(outcome).toEqual({
      kind: 'polled',
      fetched: 3,
      enqueued: 3,
      skipped: 0,
      truncated: false,
      watermarkMs: Date.parse('2026-11-20T08:50:00.123Z'),
    });
    expect(deps.defender.calls.map((c) => c.args[0])).toEqual([
      { updatedAfterMs: now - 3_600_000 - 60_000, top: 2, skip: 0 },
      { updatedAfterMs: now - 3_600_000 - 60_000, top: 2, skip: 2 },
    ]);
    const sent = deps.bus.take('alerts');
    expect(sent.map((m) => (m.body as { id: string }).id)).toEqual(['a1', 'a2', 'a3']);
    expect(sent[0]?.messageId).toMatch(/^alert-poll\.[0-9a-f]{32}$/);
    expect((await watermarks.load(WATERMARK_NAME))?.value.watermarkMs).toBe(Date.parse('2026-11-20T08:50:00.123Z'));
  });

  it('re-reads the overlap but enqueues an alert again only when it was updated', async () => {
    const alerts = [alert('a1', '2026-11-20T08:59:30Z')];
    const { deps, poll } = setUp(alerts);
    await poll();
    const first = deps.bus.take('alerts');
    const repeat = await poll();
    alerts.push(alert('a1', '2026-11-20T08:59:50Z'));
    const afterUpdate = await poll();
    expect(repeat).toMatchObject({ fetched: 1, enqueued: 0, skipped: 1 });
    expect(afterUpdate).toMatchObject({ enqueued: 1 });
    const second = deps.bus.take('alerts');
    expect(second).toHaveLength(1);
    expect(second[0]?.messageId).not.toBe(first[0]?.messageId);
  });

  it('never moves a watermark another poller moved further', async () => {
    const { watermarks, poll } = setUp([alert('a1', '2026-11-20T08:30:00Z')]);
    await watermarks.save(WATERMARK_NAME, { watermarkMs: Date.parse('2026-11-20T08:00:00Z'), recent: {} }, undefined);
    const slow = watermarks.load.bind(watermarks);
    let raced = false;
    watermarks.load = async (name) => {
      const read = await slow(name);
      if (!raced && read) {
        raced = true;
        await watermarks.save(name, { watermarkMs: Date.parse('2026-11-20T09:00:00Z'), recent: {} }, read.etag);
      }
      return read;
    };
    await poll();
    expect((await slow(WATERMARK_NAME))?.value.watermarkMs).toBe(Date.parse('2026-11-20T09:00:00Z'));
  });
});
