import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../shared/config.js';
import { SimulatorCredential } from '../../../simulator/credential.js';
import { BudgetedDefenderApi } from '../../../shared/pacing/budgetedDefender.js';
import { pacingLimitsOf } from '../../../shared/pacing/limits.js';
import { Pacer } from '../../../shared/pacing/pacer.js';
import { markEnded } from '../../../shared/runs/transitions.js';
import { createServices } from '../../../shared/services/index.js';
import { InProcessPacingStore } from '../../helpers/casStores.js';
import { fakeDeps } from '../../helpers/fakes.js';
import { hexId, makeAction, makeEvidence, makeRun } from '../../helpers/runRecords.js';
import { jsonOf, simulatorClient, startTestSimulator, type TestSimulator } from '../../helpers/simulator.js';

const ALERT = 'da638700000000000042_1';
const RUN = 'a-0123456789abcdef0123';
const DEVICE = hexId(7);

type Listed = { value: { id: string; comments: { comment: string; createdBy: string }[] }[] };

let t: TestSimulator;
beforeEach(async () => {
  t = await startTestSimulator();
  t.sim.addAlert({ id: ALERT, status: 'New', title: 'x', comments: [], evidence: [] });
});
afterEach(async () => {
  await t.close();
});

function setUp(roles: string[], settings: Record<string, string> = {}) {
  const config = loadConfig({
    STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
    BUS_KIND: 'storage-queues',
    NOTIFY_DEFENDER_ALERT_COMMENTS: 'true',
    ...settings,
  });
  const deps = fakeDeps({ config });
  const client = simulatorClient(t, { credential: new SimulatorCredential({ clock: t.clock, roles }) });
  const pacer = new Pacer(new InProcessPacingStore(), deps.clock, pacingLimitsOf(config));
  const services = createServices({ ...deps, defender: new BudgetedDefenderApi(client, pacer) });
  return { deps, services, pacer };
}

/** Records an alert run whose one device succeeded and whose result is stored: the run ends, its notification is queued. */
async function endAlertRun(services: ReturnType<typeof setUp>['services']): Promise<void> {
  const runs = services.deps.runs;
  const action = {
    ...makeAction(RUN, DEVICE),
    deviceName: 'ws-finance-07.contoso.local',
    state: 'submitted' as const,
    machineActionId: 'act-1',
    commandOutcomes: [],
  };
  await runs.createRun(makeRun(RUN, [DEVICE], ALERT), [action]);
  const current = await runs.getAction(RUN, DEVICE);
  const completed = [{ index: 0, type: 'GetFile', commandStatus: 'Completed', errors: [] }];
  await runs.replaceAction(markEnded(action, { actionStatus: 'Succeeded', commandOutcomes: completed }, 5), current?.etag ?? '');
  await runs.putEvidence(makeEvidence(RUN, DEVICE, 'act-1', 0));
}

async function deliverAll(deps: ReturnType<typeof setUp>['deps'], services: ReturnType<typeof setUp>['services']) {
  const outcomes: unknown[] = [];
  for (const m of deps.bus.take('notify')) outcomes.push(await services.notify(m.body, { messageId: m.messageId, deliveryCount: 1 }));
  return outcomes;
}

async function commentsOnTheAlert(): Promise<{ comment: string; createdBy: string }[]> {
  const listed = await jsonOf<Listed>(await t.call('/api/alerts'));
  return listed.value.find((a) => a.id === ALERT)?.comments ?? [];
}

describe('the Defender alert comment, against the simulator', () => {
  it('writes what ran, the outcome and the evidence SHA-256 on the alert that triggered the run', async () => {
    const { deps, services } = setUp(['Alert.ReadWrite.All']);

    await endAlertRun(services);
    const outcomes = await deliverAll(deps, services);

    expect(outcomes).toEqual([expect.objectContaining({ kind: 'delivered', sink: 'defender-alert' })]);
    const comments = await commentsOnTheAlert();
    expect(comments).toHaveLength(1);
    expect(comments[0]?.comment).toContain(`run ${RUN} ended`);
    expect(comments[0]?.comment).toContain('Device ws-finance-07.contoso.local');
    expect(comments[0]?.comment).toContain(`sha256 ${'cd'.repeat(32)}`);
  });

  it('is dead-lettered, naming the refusal, when the identity lacks Alert.ReadWrite.All', async () => {
    const { deps, services } = setUp(['Alert.Read.All']);

    await endAlertRun(services);
    await deliverAll(deps, services);

    expect(await commentsOnTheAlert()).toEqual([]);
    expect(deps.bus.deadLettered.map((d) => [d.queue, d.reason.reason])).toEqual([['notify', 'ForbiddenError']]);
  });

  it('is rescheduled, not sent, when the status budget is spent', async () => {
    const { deps, services, pacer } = setUp(['Alert.ReadWrite.All'], { LIMIT_STATUS_CALLS_PER_MINUTE: '1' });
    await pacer.takeStatusCalls(1);

    await endAlertRun(services);
    const outcomes = await deliverAll(deps, services);

    expect(outcomes).toEqual([expect.objectContaining({ kind: 'rescheduled', reason: 'ThrottledError' })]);
    expect(await commentsOnTheAlert()).toEqual([]);
    expect(deps.bus.take('notify')).toHaveLength(1);
  });
});
