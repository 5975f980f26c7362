import { describe, expect, it } from 'vitest';
import type { MessageBus } from '../../../../shared/bus/port.js';
import { loadConfig } from '../../../../shared/config.js';
import { EXPIRED_NOTE, markEnded, markSubmitted, recordEvidenceFailure } from '../../../../shared/runs/transitions.js';
import { updateAction } from '../../../../shared/runs/updateAction.js';
import { createServices } from '../../../../shared/services/index.js';
import { fakeDeps } from '../../../helpers/fakes.js';
import { hexId, makeAction, makeEvidence, makeRun } from '../../../helpers/runRecords.js';

const SECRET = 's'.repeat(40);
const ALL_SINKS = {
  NOTIFY_WEBHOOK_URL: 'https://hooks.example.com/responder',
  NOTIFY_WEBHOOK_SECRET: SECRET,
  NOTIFY_TEAMS_WORKFLOW_URL: 'https://prod.westeurope.logic.azure.com/workflows/1/triggers/manual/paths/invoke?sig=abc',
  NOTIFY_DEFENDER_ALERT_COMMENTS: 'true',
};
const RUN = 'a-0123456789abcdef0123';
const [D1, D2] = [hexId(1), hexId(2)];

function setUp(settings: Record<string, string> = ALL_SINKS) {
  const config = loadConfig({ STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true', BUS_KIND: 'storage-queues', ...settings });
  const deps = fakeDeps({ config });
  const services = createServices(deps);
  return { deps, runs: services.deps.runs, services };
}

async function startedRun(runs: ReturnType<typeof setUp>['runs'], devices = [D1, D2]) {
  await runs.createRun(
    makeRun(RUN, devices),
    devices.map((d) => makeAction(RUN, d)),
  );
  for (const d of devices)
    await updateAction(runs, RUN, d, (a) => markSubmitted({ ...a, state: 'submitting' }, { id: `act-${d}`, status: 'Pending' }, 1));
}

const completed = [{ index: 0, type: 'GetFile', commandStatus: 'Completed', errors: [] }];

describe('notifications are queued where a run changes', () => {
  it('queues run-ended once per sink when the last result of the last device is recorded, the alert comment included', async () => {
    const { deps, runs } = setUp();
    await startedRun(runs);
    for (const d of [D1, D2])
      await updateAction(runs, RUN, d, (a) => markEnded(a, { actionStatus: 'Succeeded', commandOutcomes: completed }, 2));
    await runs.putEvidence(makeEvidence(RUN, D1, `act-${D1}`, 0));
    expect(deps.bus.take('notify')).toEqual([]);

    await runs.putEvidence(makeEvidence(RUN, D2, `act-${D2}`, 0));

    const sent = deps.bus.take('notify');
    expect(sent.map((m) => m.messageId)).toEqual([
      `notify.webhook.run-ended.${RUN}`,
      `notify.teams.run-ended.${RUN}`,
      `notify.defender-alert.run-ended.${RUN}`,
    ]);
    expect(sent[0]?.body).toEqual({ id: `notify.webhook.run-ended.${RUN}`, sink: 'webhook', event: { kind: 'run-ended', runId: RUN } });
  });

  it('queues nothing again when a completion is replayed (the evidence is already recorded)', async () => {
    const { deps, runs } = setUp();
    await startedRun(runs, [D1]);
    await updateAction(runs, RUN, D1, (a) => markEnded(a, { actionStatus: 'Succeeded', commandOutcomes: completed }, 2));
    await runs.putEvidence(makeEvidence(RUN, D1, `act-${D1}`, 0));
    expect(deps.bus.take('notify')).toHaveLength(3);

    await runs.putEvidence(makeEvidence(RUN, D1, `act-${D1}`, 0));

    expect(deps.bus.take('notify')).toEqual([]);
  });

  it('tells the Defender alert nothing of a manual run', async () => {
    const { deps, runs } = setUp();
    await runs.createRun({ ...makeRun(RUN, []), trigger: { kind: 'manual', requestedBy: 'ana', reason: 'INC-1' } }, []);

    expect(deps.bus.take('notify').map((m) => (m.body as { sink: string }).sink)).toEqual(['webhook', 'teams']);
  });

  it('queues action-failed when an action fails or expires, once, not when a later write touches it', async () => {
    const { deps, runs } = setUp({ NOTIFY_WEBHOOK_URL: 'https://hooks.example.com/r', NOTIFY_WEBHOOK_SECRET: SECRET });
    await startedRun(runs);
    await updateAction(runs, RUN, D1, (a) => markEnded(a, { actionStatus: 'Failed', commandOutcomes: completed }, 2));
    await updateAction(runs, RUN, D2, (a) => markEnded(a, { actionStatus: 'Cancelled', lastError: EXPIRED_NOTE }, 2));
    const first = deps.bus.take('notify').map((m) => m.body);

    await updateAction(runs, RUN, D1, (a) => recordEvidenceFailure(a, { commandIndex: 0, reason: 'CollectionRetriesExhausted' }, 3));

    expect(first).toEqual([
      expect.objectContaining({ event: { kind: 'action-failed', runId: RUN, deviceId: D1, failure: 'failed' } }),
      expect.objectContaining({ event: { kind: 'action-failed', runId: RUN, deviceId: D2, failure: 'expired' } }),
    ]);
    expect(deps.bus.take('notify').map((m) => (m.body as { event: { kind: string } }).event.kind)).toEqual(['run-ended']);
  });

  it('queues dead-lettered for a message a service dead-letters, but not for a notification of its own', async () => {
    const { deps, services } = setUp({ NOTIFY_WEBHOOK_URL: 'https://hooks.example.com/r', NOTIFY_WEBHOOK_SECRET: SECRET });

    await services.collect({ not: 'a collect message' }, { messageId: 'c-1', deliveryCount: 1 });
    await services.notify({ not: 'a notify message' }, { messageId: 'n-1', deliveryCount: 1 });

    expect(deps.bus.deadLettered.map((d) => d.queue)).toEqual(['collect', 'notify']);
    const [queued, ...more] = deps.bus.take('notify').map((m) => m.body as { sink: string; event: Record<string, unknown> });
    expect(more).toEqual([]);
    expect(queued?.sink).toBe('webhook');
    expect(queued?.event).toMatchObject({ kind: 'dead-lettered', queue: 'collect', reason: 'MalformedMessage', originalMessageId: 'c-1' });
  });

  it('queues nothing, and wraps nothing, when no sink is configured', async () => {
    const { deps, runs } = setUp({});
    await runs.createRun(makeRun(RUN, []), []);
    expect(deps.bus.take('notify')).toEqual([]);
    expect(runs).toBe(deps.runs);
  });

  it('never fails the write when the notification cannot be queued', async () => {
    const { deps, runs } = setUp();
    const failing: MessageBus = {
      send: (queue, message) => (queue === 'notify' ? Promise.reject(new Error('bus down')) : deps.bus.send(queue, message)),
      deadLetter: (queue, body, reason) => deps.bus.deadLetter(queue, body, reason),
    };
    const services = createServices({ ...deps, bus: failing });

    await expect(services.deps.runs.createRun(makeRun(RUN, []), [])).resolves.toBe('created');
    expect(runs).not.toBe(deps.runs);
  });
});
