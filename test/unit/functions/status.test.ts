import { describe, expect, it } from 'vitest';
import { status } from '../../../functions/status.js';
import { ManualClock } from '../../../shared/clock.js';
import { loadConfig } from '../../../shared/config.js';
import type { NotifyMessage } from '../../../shared/notify/events.js';
import { pacingLimitsOf } from '../../../shared/pacing/limits.js';
import { Pacer } from '../../../shared/pacing/pacer.js';
import { createServices } from '../../../shared/services/index.js';
import { InProcessPacingStore } from '../../helpers/casStores.js';
import { fakeDeps } from '../../helpers/fakes.js';
import { callRoute } from '../../helpers/routeCalls.js';

const reader = ['Responder.Read'] as const;

const runEnded = (runId: string): NotifyMessage => ({
  id: `notify.webhook.run-ended.${runId}`,
  sink: 'webhook',
  event: { kind: 'run-ended', runId },
});

async function world() {
  const clock = new ManualClock();
  const store = new InProcessPacingStore();
  const deps = fakeDeps({ clock });
  const pacer = new Pacer(store, clock, pacingLimitsOf(deps.config));
  Object.assign(deps, { pacer });
  // Three devices called (sessions open), one of them 429'd: a penalty for 30 s.
  for (const deviceId of ['d1', 'd2', 'd3']) {
    await pacer.requestSlot({ deviceId, runId: 'r1' });
    await pacer.recordSubmitted(deviceId, 'r1', `a-${deviceId}`, clock.nowMs() + 30_000);
  }
  await pacer.takeStatusCalls(4);
  const admittedMs = clock.nowMs();
  clock.advance(2_000);
  await pacer.callRefused(admittedMs, 30_000);
  return { deps, store, clock, services: createServices(deps) };
}

describe('GET /api/status', () => {
  it('answers the pacing state from the stored record and each queue’s look, calling nobody and writing nothing', async () => {
    const { deps, store, clock, services } = await world();
    deps.queueProbe.looks.actions = {
      messages: { count: 7, countIs: 'approximate', oldestReadyAgeMs: 42_000.4, oldestReadyAgeIs: 'exact' },
      deadLetters: { poison: { count: 2, countIs: 'approximate' } },
    };
    const before = await store.load();
    const response = await callRoute(services, status, { roles: reader });
    expect(response.status).toBe(200);
    expect(response.jsonBody).toMatchObject({
      at: new Date(clock.nowMs()).toISOString(),
      pacing: {
        liveResponse: { callsInWindow: 2, windowMs: 60_000, limit: 10 },
        sessions: { inUse: 3, limit: 25 },
        devices: { waiting: 0, backingOff: 0 },
        penalty: { inForce: true, until: new Date(clock.nowMs() + 30_000).toISOString() },
        statusBudget: { lastMinute: { used: 4, left: 96 } },
      },
      queues: {
        actions: {
          messages: { count: 7, countIs: 'approximate', oldestReadyAgeMs: 42_000, oldestReadyAgeIs: 'exact' },
          deadLetters: { poison: { count: 2, countIs: 'approximate' } },
        },
        alerts: { messages: { count: 0, countIs: 'exact' } },
      },
    });
    const perMinute = (response.jsonBody as { pacing: { liveResponse: { perMinute: { minuteStart: string; calls: number }[] } } }).pacing
      .liveResponse.perMinute;
    expect(perMinute).toHaveLength(60);
    expect(perMinute.reduce((sum, m) => sum + m.calls, 0)).toBe(3);
    expect(perMinute.at(-1)?.minuteStart).toBe(new Date(Math.floor(clock.nowMs() / 60_000) * 60_000).toISOString());
    expect(deps.defender.calls).toEqual([]);
    expect((await store.load()).etag).toBe(before.etag);
  });

  it('names the devices’ waiting lines: runs waiting tenant-wide, devices with a line, the longest first and their bounds', async () => {
    const { deps, clock, services } = await world();
    // d1 is held by r1 (its action open): two runs wait for it; d4, free, is reserved by r4 and one run waits for it.
    for (const runId of ['r2', 'r3']) await deps.pacer.requestSlot({ deviceId: 'd1', runId });
    for (const runId of ['r4', 'r5']) await deps.pacer.requestSlot({ deviceId: 'd4', runId });
    const fallback = new Date(clock.nowMs() + deps.pacer.limits.deviceBusyRetryMs).toISOString();
    const response = await callRoute(services, status, { roles: reader });
    expect(response.jsonBody).toMatchObject({
      pacing: {
        devices: { waiting: 1 },
        waitingLines: {
          waiters: 3,
          waitersLimit: 1_000,
          devices: 2,
          perDeviceLimit: 100,
          longest: [
            { deviceId: 'd1', waiters: 2, firstWaiterFallback: fallback },
            { deviceId: 'd4', waiters: 1, firstWaiterFallback: fallback },
          ],
        },
      },
    });
  });

  it('says a queue whose look failed is unavailable, with the reason redacted, and answers the rest', async () => {
    const { deps, services } = await world();
    deps.queueProbe.looks.collect = new Error('peeking failed at https://ns.servicebus.windows.net/collect?sig=SECRET');
    const response = await callRoute(services, status, { roles: reader });
    expect(response.status).toBe(200);
    const body = response.jsonBody as { queues: Record<string, { unavailable?: string }>; pacing: { sessions?: unknown } };
    expect(body.queues.collect?.unavailable).toContain('peeking failed');
    expect(JSON.stringify(body)).not.toContain('SECRET');
    expect(JSON.stringify(body)).not.toContain('servicebus.windows.net');
    expect(body.queues.actions?.unavailable).toBeUndefined();
    expect(body.pacing.sessions).toEqual({ inUse: 3, limit: 25 });
  });

  it('says the pacing state is unavailable when its record cannot be read, and still answers the queues', async () => {
    const { deps, store, services } = await world();
    store.load = () => Promise.reject(new Error('table unreachable'));
    const response = await callRoute(services, status, { roles: reader });
    expect(response).toMatchObject({ status: 200, jsonBody: { pacing: { unavailable: 'Error: table unreachable' } } });
    expect((response.jsonBody as { queues: object }).queues).toHaveProperty('polls.messages.count', 0);
    expect(deps.defender.calls).toEqual([]);
  });

  it('says no notification is owed on a healthy responder', async () => {
    const { services } = await world();
    const response = await callRoute(services, status, { roles: reader });
    expect((response.jsonBody as { notifications: unknown }).notifications).toEqual({
      owed: { count: 0, countIs: 'exact', oldestAgeIs: 'exact' },
    });
  });

  it('counts the notifications owed and says how long the oldest has been owed', async () => {
    const { deps, clock, services } = await world();
    await deps.owedNotifications.owe(runEnded('a-1'), clock.nowMs());
    clock.advance(90_000);
    await deps.owedNotifications.owe(runEnded('a-2'), clock.nowMs());
    clock.advance(30_000);
    const response = await callRoute(services, status, { roles: reader });
    expect((response.jsonBody as { notifications: unknown }).notifications).toEqual({
      owed: { count: 2, countIs: 'exact', oldestAgeMs: 120_000, oldestAgeIs: 'exact' },
    });
  });

  it('stops counting owed notifications at STATUS_OWED_COUNT_MAX and says at least', async () => {
    const { deps, clock, services } = await world();
    const config = loadConfig({
      STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
      BUS_KIND: 'storage-queues',
      STATUS_OWED_COUNT_MAX: '3',
    });
    Object.assign(deps, { config });
    for (const run of ['a-1', 'a-2', 'a-3', 'a-4', 'a-5']) await deps.owedNotifications.owe(runEnded(run), clock.nowMs() - 60_000);
    const response = await callRoute(services, status, { roles: reader });
    expect((response.jsonBody as { notifications: unknown }).notifications).toEqual({
      owed: { count: 3, countIs: 'atLeast', oldestAgeMs: 60_000, oldestAgeIs: 'atLeast' },
    });
  });

  it('says the owed notifications are unavailable when their table cannot be read, and still answers the rest', async () => {
    const { deps, services } = await world();
    deps.owedNotifications.failWith = new Error('table unreachable at https://acct.table.core.windows.net/notifyowed?sig=SECRET');
    const response = await callRoute(services, status, { roles: reader });
    expect(response.status).toBe(200);
    const body = response.jsonBody as { notifications: { unavailable?: string }; pacing: { sessions?: unknown } };
    expect(body.notifications.unavailable).toContain('table unreachable');
    expect(JSON.stringify(body)).not.toContain('SECRET');
    expect(body.pacing.sessions).toEqual({ inUse: 3, limit: 25 });
  });
});
