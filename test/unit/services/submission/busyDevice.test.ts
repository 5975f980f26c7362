import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ActionStatus } from '../../../../shared/defender/types.js';
import { handleAlertMessage } from '../../../../shared/services/intake/alertIntake.js';
import { handlePollTick } from '../../../../shared/services/polling/pollTick.js';
import { handleActionMessage } from '../../../../shared/services/submission/submitter.js';
import { DEVICE, fakeDeps, machineAction, type SentMessage } from '../../../helpers/fakes.js';

const alert = JSON.parse(readFileSync(new URL('../../../fixtures/alerts/defender-api-alert.json', import.meta.url), 'utf8')) as Record<
  string,
  unknown
>;
const delivery = { messageId: 'm', deliveryCount: 1 };

/** Three alerts on one device, three runs; Defender answers each POST with a new action whose status the test sets. */
async function threeRunsOnOneDevice() {
  const deps = fakeDeps();
  const runIds: string[] = [];
  for (let n = 1; n <= 3; n++) {
    const outcome = await handleAlertMessage(deps, { ...alert, id: `da63870000000000000${n}_100000000${n}` }, delivery);
    if (outcome.kind !== 'started') throw new Error(outcome.kind);
    runIds.push(outcome.runIds[0] ?? '');
  }
  const submits = deps.bus.take('actions');
  const statuses = new Map<string, ActionStatus>();
  let created = 0;
  deps.defender.onRunLiveResponse = (machineId) => {
    created += 1;
    statuses.set(`act-${created}`, 'InProgress');
    return Promise.resolve(machineAction({ id: `act-${created}`, machineId }));
  };
  deps.defender.onListMachineActions = (q) =>
    Promise.resolve((q.ids ?? []).map((id) => machineAction({ id, machineId: DEVICE, status: statuses.get(id) ?? 'Pending' })));
  const deliver = (message: SentMessage | undefined) => handleActionMessage(deps, message?.body, delivery);
  const tick = async () => {
    const [poll] = deps.bus.take('polls');
    if (poll?.notBeforeMs !== undefined) deps.clock.set(Math.max(deps.clock.nowMs(), poll.notBeforeMs));
    return handlePollTick(deps, poll?.body, delivery);
  };
  const posts = () => deps.defender.calls.filter((c) => c.method === 'runLiveResponse').length;
  return { deps, runIds, submits, statuses, deliver, tick, posts };
}

describe('runs waiting for a busy device', () => {
  it('wakes the next run when the device’s action ends, and absorbs its fallback copy', async () => {
    const { deps, runIds, submits, statuses, deliver, tick, posts } = await threeRunsOnOneDevice();
    expect(await deliver(submits[0])).toBe('submitted');
    // The other two wait in line: rescheduled only as a fallback, later for the one further back.
    expect(await deliver(submits[1])).toBe('deferred');
    expect(await deliver(submits[2])).toBe('deferred');
    const fallbacks = deps.bus.take('actions');
    expect(fallbacks.map((m) => [m.properties?.reason, m.notBeforeMs])).toEqual([
      ['device-queue', deps.clock.nowMs() + deps.config.polling.deviceBusyRetryMs],
      ['device-queue', deps.clock.nowMs() + 2 * deps.config.polling.deviceBusyRetryMs],
    ]);

    // In progress while others wait: looked at again soon.
    expect(await tick()).toBe('polled');
    expect(deps.bus.sent.find((m) => m.queue === 'polls')?.notBeforeMs).toBe(deps.clock.nowMs() + deps.config.polling.deviceQueueMs);

    // It ends: the tick that sees it hands the device to the next run and sends that run's message, due now.
    statuses.set('act-1', 'Succeeded');
    await tick();
    const [wake, ...others] = deps.bus.take('actions');
    expect(others).toEqual([]);
    expect(wake).toMatchObject({ body: { runId: runIds[1], deviceId: DEVICE }, notBeforeMs: deps.clock.nowMs() });
    expect(wake?.properties?.reason).toBe('device-free');
    expect(await deliver(wake)).toBe('submitted');
    expect(posts()).toBe(2);

    // The fallback copies come later: the woken run's finds its action sent, the last run's still waits. No POST.
    deps.clock.set(fallbacks[0]?.notBeforeMs ?? 0);
    expect(await deliver(fallbacks[0])).toBe('duplicate');
    expect(await deliver(wake)).toBe('duplicate');
    expect(await deliver(fallbacks[1])).toBe('deferred');
    expect(posts()).toBe(2);
    expect(deps.defender.calls.some((c) => c.method === 'getMachineAction')).toBe(false);
    expect((await deps.runs.getAction(runIds[2] ?? '', DEVICE))?.value.state).toBe('queued');
  });

  it('sends nothing to wake when nobody waits for the device', async () => {
    const { deps, submits, statuses, deliver, tick } = await threeRunsOnOneDevice();
    expect(await deliver(submits[0])).toBe('submitted');
    await tick();
    expect(deps.bus.sent.find((m) => m.queue === 'polls')?.notBeforeMs).toBe(deps.clock.nowMs() + deps.config.polling.inProgressMs);
    statuses.set('act-1', 'Succeeded');
    await tick();
    expect(deps.bus.take('actions')).toEqual([]);
  });
});
