import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BadRequestError, ThrottledError, TransientError } from '../../../../shared/errors.js';
import type { MachineAction } from '../../../../shared/defender/types.js';
import { cancelRun } from '../../../../shared/services/cancel/cancelRun.js';
import { handleAlertMessage } from '../../../../shared/services/intake/alertIntake.js';
import { handlePollTick } from '../../../../shared/services/polling/pollTick.js';
import { getRunStatus } from '../../../../shared/services/status/runStatus.js';
import { handleActionMessage } from '../../../../shared/services/submission/submitter.js';
import { DEVICE, fakeDeps, machineAction } from '../../../helpers/fakes.js';
import { analyst } from '../../../helpers/principals.js';

const alert = JSON.parse(readFileSync(new URL('../../../fixtures/alerts/defender-api-alert.json', import.meta.url), 'utf8')) as Record<
  string,
  unknown
>;
const delivery = { messageId: 'm1', deliveryCount: 1 };
const ANA = analyst('ana@contoso.com', ['Responder.Cancel']);
const WHO = `ana@contoso.com (user ${ANA.objectId})`;

/** A run for the alert's device, its submit message not yet delivered. */
async function queuedRun() {
  const deps = fakeDeps();
  const outcome = await handleAlertMessage(deps, alert, delivery);
  if (outcome.kind !== 'started') throw new Error(`expected a run, got ${outcome.kind}`);
  const [submit] = deps.bus.take('actions');
  return { deps, runId: outcome.runIds[0] ?? '', submit };
}

/** The same run with its action created at Defender (Pending: the device is offline). */
async function submittedRun() {
  const run = await queuedRun();
  run.deps.defender.onRunLiveResponse = (id) => Promise.resolve(machineAction({ id: 'act-1', machineId: id }));
  expect(await handleActionMessage(run.deps, run.submit?.body, delivery)).toBe('submitted');
  return run;
}

async function cancel(deps: ReturnType<typeof fakeDeps>, runId: string, body: unknown = { reason: 'INC-7 false positive' }) {
  const answer = await cancelRun(deps, runId, body, ANA);
  if (!answer?.ok) throw new Error(`expected a report, got ${JSON.stringify(answer)}`);
  return answer.value.report;
}

const cancelledAt = (id: string, status: MachineAction['status'] = 'Cancelled'): Promise<MachineAction> =>
  Promise.resolve(machineAction({ id, machineId: DEVICE, status }));
const calls = (deps: ReturnType<typeof fakeDeps>, method: string) => deps.defender.calls.filter((c) => c.method === method);

describe('cancelling a run', () => {
  it('never sends a queued action: recorded cancelled, its send slot given back, a later submit message does nothing', async () => {
    const { deps, runId, submit } = await queuedRun();
    expect((await deps.pacer.snapshot()).holds[DEVICE]).toMatchObject({ kind: 'reserved' });
    const report = await cancel(deps, runId);
    expect(report.devices).toEqual([
      { deviceId: DEVICE, outcome: 'cancelled', detail: `never sent; cancelled by ${WHO}: INC-7 false positive` },
    ]);
    const pacing = await deps.pacer.snapshot();
    expect(pacing.holds).toEqual({});
    expect(pacing.slotsMs).toEqual([]);
    expect(await handleActionMessage(deps, submit?.body, delivery)).toBe('duplicate');
    expect(calls(deps, 'runLiveResponse')).toEqual([]);
    const status = await getRunStatus(deps, runId);
    expect(status).toMatchObject({
      phase: 'ended',
      devices: [{ state: 'cancelled', cancelledBy: WHO, cancelReason: 'INC-7 false positive' }],
    });
  });

  it('cancels at Defender the action a POST in flight creates, once the submitter records it', async () => {
    const { deps, runId, submit } = await queuedRun();
    let answered: Awaited<ReturnType<typeof cancel>> | undefined;
    deps.defender.onRunLiveResponse = async (id) => {
      answered = await cancel(deps, runId);
      return machineAction({ id: 'act-1', machineId: id });
    };
    deps.defender.onCancel = (id) => cancelledAt(id);
    expect(await handleActionMessage(deps, submit?.body, delivery)).toBe('submitted');
    expect(answered?.devices[0]?.outcome).toBe('cancelling');
    expect(calls(deps, 'cancelMachineAction')).toEqual([
      { method: 'cancelMachineAction', args: ['act-1', `mde-responder: cancelled by ${WHO}: INC-7 false positive`] },
    ]);
    expect((await deps.runs.getAction(runId, DEVICE))?.value).toMatchObject({ state: 'ended', actionStatus: 'Cancelled' });
    expect((await deps.pacer.snapshot()).holds).toEqual({});
  });

  it('sends nothing more when the outcome of a POST in flight was lost and no action was created', async () => {
    const { deps, runId, submit } = await queuedRun();
    deps.defender.onRunLiveResponse = async () => {
      await cancel(deps, runId);
      throw new TransientError('socket hang up');
    };
    await expect(handleActionMessage(deps, submit?.body, delivery)).rejects.toThrow(TransientError);
    deps.clock.advance(deps.config.defender.listLagBoundMs);
    expect(await handleActionMessage(deps, submit?.body, { messageId: 'm1', deliveryCount: 2 })).toBe('cancelled');
    expect(calls(deps, 'runLiveResponse')).toHaveLength(1);
    expect((await deps.runs.getAction(runId, DEVICE))?.value.state).toBe('cancelled');
    expect((await deps.pacer.snapshot()).holds).toEqual({});
  });

  it('cancels a submitted action once at Defender, frees the device and records who and why', async () => {
    const { deps, runId } = await submittedRun();
    deps.defender.onCancel = (id) => cancelledAt(id);
    const report = await cancel(deps, runId);
    expect(report.devices).toEqual([
      { deviceId: DEVICE, outcome: 'cancelled', detail: `Defender action act-1 cancelled by ${WHO}: INC-7 false positive` },
    ]);
    expect(calls(deps, 'cancelMachineAction')).toHaveLength(1);
    expect((await deps.pacer.snapshot()).holds).toEqual({});
    expect(await getRunStatus(deps, runId)).toMatchObject({
      phase: 'ended',
      devices: [{ state: 'ended', actionStatus: 'Cancelled', lastError: `cancelled by ${WHO}: INC-7 false positive`, cancelledBy: WHO }],
    });
  });

  it('answers the same on a second cancel without calling Defender again', async () => {
    const { deps, runId } = await submittedRun();
    deps.defender.onCancel = (id) => cancelledAt(id);
    const first = await cancel(deps, runId);
    const second = await cancel(deps, runId, { reason: 'asked twice' });
    expect(second).toEqual(first);
    expect(calls(deps, 'cancelMachineAction')).toHaveLength(1);
  });

  it('answers cancelling when Defender’s cancel must wait, and the poll tick cancels it when it may', async () => {
    const { deps, runId } = await submittedRun();
    const [tick] = deps.bus.take('polls');
    deps.defender.onCancel = () => Promise.reject(new ThrottledError('status budget spent', 30_000));
    expect((await cancel(deps, runId)).devices[0]?.outcome).toBe('cancelling');
    expect((await deps.pacer.snapshot()).holds[DEVICE]).toMatchObject({ kind: 'open', nextPollMs: deps.clock.nowMs() + 30_000 });
    deps.clock.advance(30_000);
    deps.defender.onListMachineActions = () => Promise.resolve([machineAction({ id: 'act-1', machineId: DEVICE })]);
    deps.defender.onCancel = (id) => cancelledAt(id);
    expect(await handlePollTick(deps, tick?.body, delivery)).toBe('polled');
    expect(calls(deps, 'cancelMachineAction')).toHaveLength(2);
    expect((await deps.runs.getAction(runId, DEVICE))?.value).toMatchObject({ state: 'ended', actionStatus: 'Cancelled' });
    expect((await deps.pacer.snapshot()).holds).toEqual({});
  });

  it('reports an action that ended before the cancel as such, and still collects its evidence', async () => {
    const { deps, runId } = await submittedRun();
    deps.defender.onCancel = () => Promise.reject(new BadRequestError('already in a final state', 'DisallowedOperation'));
    const done = machineAction({
      id: 'act-1',
      machineId: DEVICE,
      status: 'Succeeded',
      commands: [
        { index: 0, commandStatus: 'Completed', errors: [], command: { type: 'RunScript', params: [] } },
        { index: 1, commandStatus: 'Completed', errors: [], command: { type: 'GetFile', params: [] } },
      ],
    });
    deps.defender.onGetMachineAction = () => Promise.resolve(done);
    const report = await cancel(deps, runId);
    expect(report.devices[0]).toMatchObject({ outcome: 'already-ended', detail: expect.stringContaining('ended Succeeded') as string });
    expect(deps.bus.take('collect').length).toBeGreaterThan(0);
    expect((await deps.runs.getAction(runId, DEVICE))?.value).toMatchObject({ state: 'ended', actionStatus: 'Succeeded' });
  });

  it('leaves an ended action untouched', async () => {
    const { deps, runId } = await submittedRun();
    const [tick] = deps.bus.take('polls');
    deps.clock.set(tick?.notBeforeMs ?? 0);
    deps.defender.onListMachineActions = () => Promise.resolve([machineAction({ id: 'act-1', machineId: DEVICE, status: 'Failed' })]);
    await handlePollTick(deps, tick?.body, delivery);
    const before = (await deps.runs.getAction(runId, DEVICE))?.value;
    expect(before?.state).toBe('ended');
    const report = await cancel(deps, runId);
    expect(report.devices[0]).toMatchObject({
      outcome: 'already-ended',
      detail: 'Defender action act-1 ended Failed before the cancel; its completed results are collected',
    });
    expect((await deps.runs.getAction(runId, DEVICE))?.value).toEqual(before);
    expect(calls(deps, 'cancelMachineAction')).toEqual([]);
  });

  it('reports a device that is not part of the run as not found, and names a bad field', async () => {
    const { deps, runId } = await queuedRun();
    const other = 'a'.repeat(40);
    expect((await cancel(deps, runId, { reason: 'x', deviceId: other })).devices).toEqual([
      { deviceId: other, outcome: 'not-found', detail: `device ${other} is not part of run ${runId}` },
    ]);
    expect(await cancelRun(deps, runId, { reason: 'x', deviceId: 'nope' }, ANA)).toMatchObject({
      ok: false,
      errors: [{ path: 'deviceId' }],
    });
    expect(await cancelRun(deps, runId, {}, ANA)).toMatchObject({ ok: false, errors: [{ path: 'reason' }] });
    expect(await cancelRun(deps, 'm-00000000000000000000000000000000', { reason: 'x' }, ANA)).toBeUndefined();
    expect((await deps.runs.getAction(runId, DEVICE))?.value.state).toBe('queued');
  });
});
