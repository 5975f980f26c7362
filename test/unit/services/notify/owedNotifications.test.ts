import { describe, expect, it } from 'vitest';
import { MINUTE_MS, type ManualClock } from '../../../../shared/clock.js';
import { loadConfig } from '../../../../shared/config.js';
import { TransientError } from '../../../../shared/errors.js';
import { createServices } from '../../../../shared/services/index.js';
import { recordingLogger } from '../../../helpers/faultyTransport.js';
import { fakeDeps } from '../../../helpers/fakes.js';
import { makeRun } from '../../../helpers/runRecords.js';

const WEBHOOK = { NOTIFY_WEBHOOK_URL: 'https://hooks.example.com/responder', NOTIFY_WEBHOOK_SECRET: 's'.repeat(40) };
const RUN = 'a-0123456789abcdef0123';
const ID = `notify.webhook.run-ended.${RUN}`;

function setUp(settings: Record<string, string> = {}) {
  const config = loadConfig({
    STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
    BUS_KIND: 'storage-queues',
    ...WEBHOOK,
    ...settings,
  });
  const { logger, lines } = recordingLogger();
  const deps = fakeDeps({ config, logger });
  deps.bus.detectDuplicates(deps.clock, 10 * MINUTE_MS);
  return { deps, lines, services: createServices(deps) };
}

/** A run with no device ends as it is created: its run-ended notification is emitted at once. */
async function endRun(services: ReturnType<typeof setUp>['services'], runId = RUN): Promise<void> {
  await services.deps.runs.createRun(makeRun(runId, [], 'da-1', services.deps.clock.nowMs()), []);
}

/** Ends the run while neither the notify queue nor the owed table takes anything; both are back afterwards. */
async function endRunWhileBusAndStorageFail({ deps, services }: ReturnType<typeof setUp>): Promise<void> {
  const { bus, owedNotifications } = deps;
  bus.refuse.notify = new TransientError('Service Bus unavailable');
  owedNotifications.failWith = new TransientError('storage unavailable');
  await endRun(services);
  delete bus.refuse.notify;
  owedNotifications.failWith = undefined;
}

/** The reconcile timer's firings every 5 minutes, for `firings` firings: the sweep and the owed notifications. */
async function fire(services: ReturnType<typeof setUp>['services'], firings: number): Promise<void> {
  for (let i = 0; i < firings; i += 1) {
    (services.deps.clock as ManualClock).advance(5 * MINUTE_MS);
    await services.sweepRuns();
    await services.queueOwedNotifications();
  }
}

describe('a notification the notify queue did not take is queued later by the reconcile timer', () => {
  it('queues a run-ended notification whose first queueing failed at the next firing, exactly once', async () => {
    const { deps, services } = setUp();
    deps.bus.refuse.notify = new TransientError('Service Bus unavailable');
    await endRun(services);
    expect(deps.bus.take('notify')).toEqual([]);
    delete deps.bus.refuse.notify;
    deps.clock.advance(5 * 60_000);

    const first = await services.queueOwedNotifications();
    const second = await services.queueOwedNotifications();

    expect(first).toEqual({ notificationsQueued: 1, notificationsStillOwed: 0 });
    expect(second).toEqual({ notificationsQueued: 0, notificationsStillOwed: 0 });
    const sent = deps.bus.take('notify');
    expect(sent.map((m) => m.messageId)).toEqual([ID]);
    expect(sent[0]?.body).toEqual({ id: ID, sink: 'webhook', event: { kind: 'run-ended', runId: RUN } });
  });

  it('owes nothing and queues nothing again when the first queueing worked', async () => {
    const { deps, services } = setUp();
    await endRun(services);
    expect(deps.bus.take('notify').map((m) => m.messageId)).toEqual([ID]);

    const outcome = await services.queueOwedNotifications();

    expect(outcome).toEqual({ notificationsQueued: 0, notificationsStillOwed: 0 });
    expect(deps.bus.take('notify')).toEqual([]);
    expect(deps.owedNotifications.size).toBe(0);
  });

  it('keeps it owed while the notify queue still refuses it, and queues it at the first firing that can', async () => {
    const { deps, services } = setUp();
    deps.bus.refuse.notify = new TransientError('Service Bus unavailable');
    await endRun(services);

    const whileDown = await services.queueOwedNotifications();
    delete deps.bus.refuse.notify;
    const afterwards = await services.queueOwedNotifications();

    expect(whileDown).toEqual({ notificationsQueued: 0, notificationsStillOwed: 1 });
    expect(afterwards).toEqual({ notificationsQueued: 1, notificationsStillOwed: 0 });
    expect(deps.bus.take('notify').map((m) => m.messageId)).toEqual([ID]);
  });

  it('queues at most NOTIFY_OWED_PER_FIRING a firing and the rest at the next', async () => {
    const { deps, services } = setUp({ NOTIFY_OWED_PER_FIRING: '2' });
    deps.bus.refuse.notify = new TransientError('Service Bus unavailable');
    for (const run of ['a-1', 'a-2', 'a-3']) await endRun(services, run);
    delete deps.bus.refuse.notify;

    const counts = [await services.queueOwedNotifications(), await services.queueOwedNotifications()].map((o) => o.notificationsQueued);

    expect(counts).toEqual([2, 1]);
    expect(
      deps.bus
        .take('notify')
        .map((m) => m.messageId)
        .sort(),
    ).toEqual(['a-1', 'a-2', 'a-3'].map((r) => `notify.webhook.run-ended.${r}`));
  });

  it('queues an owed dead-letter notification too, under its own id', async () => {
    const { deps, services } = setUp();
    deps.bus.refuse.notify = new TransientError('Service Bus unavailable');
    await services.collect({ not: 'a collect message' }, { messageId: 'c-1', deliveryCount: 1 });
    delete deps.bus.refuse.notify;

    await services.queueOwedNotifications();

    const [queued, ...more] = deps.bus.take('notify');
    expect(more).toEqual([]);
    expect(queued?.body).toMatchObject({ sink: 'webhook', event: { kind: 'dead-lettered', queue: 'collect', originalMessageId: 'c-1' } });
    expect(queued?.messageId).toBe((queued?.body as { id: string }).id);
  });

  it('says as a warning that a notification is owed, and as an error when it could not even be recorded', async () => {
    const { deps, lines, services } = setUp();
    deps.bus.refuse.notify = new TransientError('Service Bus unavailable');
    await endRun(services, 'a-1');
    deps.owedNotifications.failWith = new TransientError('storage unavailable');
    await endRun(services, 'a-2');

    const said = lines.map((l) => JSON.parse(l) as { level: string; msg?: string; message?: string; notificationId?: string });
    const about = (id: string) => said.filter((l) => l.notificationId === id).map((l) => l.level);
    expect(about('notify.webhook.run-ended.a-1')).toEqual(['warn']);
    expect(about('notify.webhook.run-ended.a-2')).toEqual(['error']);
  });
});

describe('the reconcile timer over several firings, with duplicate detection as Service Bus has it', () => {
  it('delivers a run-ended notification whose first queueing failed exactly once', async () => {
    const { deps, services } = setUp();
    deps.bus.refuse.notify = new TransientError('Service Bus unavailable');
    await endRun(services);
    delete deps.bus.refuse.notify;

    await fire(services, 4);

    expect(deps.bus.take('notify').map((m) => m.messageId)).toEqual([ID]);
    expect(deps.owedNotifications.size).toBe(0);
  });

  it('queues nothing more, and writes nothing, when the first queueing worked', async () => {
    const { deps, services } = setUp();
    await endRun(services);
    expect(deps.bus.take('notify').map((m) => m.messageId)).toEqual([ID]);

    await fire(services, 4);

    expect(deps.bus.take('notify')).toEqual([]);
    expect(deps.owedNotifications.size).toBe(0);
  });

  it('queues a run-ended notification that was neither queued nor recorded as owed at the next sweep, exactly once', async () => {
    const given = setUp();
    const { deps, services } = given;
    await endRunWhileBusAndStorageFail(given);

    await fire(services, 1);
    const atFirstFiring = deps.bus.take('notify').map((m) => m.messageId);
    await fire(services, 3);

    expect(atFirstFiring).toEqual([ID]);
    expect(deps.bus.take('notify')).toEqual([]);
  });

  it('queues nothing again for a run that ended longer ago than NOTIFY_RESEND_ENDED_WITHIN_MS', async () => {
    const given = setUp({ NOTIFY_RESEND_ENDED_WITHIN_MS: String(4 * MINUTE_MS) });
    const { deps, services } = given;
    await endRunWhileBusAndStorageFail(given);

    await fire(services, 2);

    expect(deps.bus.take('notify')).toEqual([]);
    expect(deps.bus.dropped).toEqual([]);
  });
});
