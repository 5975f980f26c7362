import { analyst } from '../../helpers/principals.js';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DeviceBusyError, PermanentError, ThrottledError, TransientError } from '../../../shared/errors.js';
import { getRunStatus } from '../../../shared/services/status/runStatus.js';
import { handleAlertMessage } from '../../../shared/services/intake/alertIntake.js';
import { handleCollectMessage } from '../../../shared/services/evidence/collector.js';
import { startManualRun } from '../../../shared/services/intake/manualRuns.js';
import { handlePollTick } from '../../../shared/services/polling/pollTick.js';
import { sweepRuns } from '../../../shared/services/reconcile/sweep.js';
import { handleActionMessage } from '../../../shared/services/submission/submitter.js';
import type { MachineAction } from '../../../shared/defender/types.js';
import { DEVICE, fakeDeps, machineAction } from '../../helpers/fakes.js';

const alert = JSON.parse(readFileSync(new URL('../../fixtures/alerts/defender-api-alert.json', import.meta.url), 'utf8')) as Record<
  string,
  unknown
>;
const delivery = { messageId: 'm1', deliveryCount: 1 };

async function planned() {
  const deps = fakeDeps();
  const outcome = await handleAlertMessage(deps, alert, delivery);
  if (outcome.kind !== 'started') throw new Error(`expected a run, got ${outcome.kind}`);
  const runId = outcome.runIds[0] ?? '';
  const [submit] = deps.bus.take('actions');
  return { deps, runId, submit };
}

describe('alert intake', () => {
  it('dead-letters a malformed alert with its reason and calls nothing', async () => {
    const deps = fakeDeps();
    const outcome = await handleAlertMessage(deps, { ...alert, machineId: 'not-a-device' }, delivery);
    expect(outcome.kind).toBe('dead-lettered');
    expect(deps.bus.deadLettered[0]?.reason).toMatchObject({ reason: 'MalformedAlert', originalMessageId: 'm1' });
    expect(deps.bus.deadLettered[0]?.reason.description).toMatch(/machineId: a 40-hex-digit Defender device id/);
    expect(deps.defender.calls).toEqual([]);
    expect(deps.bus.sent).toEqual([]);
  });

  it('starts one run for the alert device and queues its submission', async () => {
    const { deps, runId, submit } = await planned();
    const view = await deps.runs.getRun(runId);
    expect(view?.run.playbook.name).toBe('process-memory-dump');
    expect(view?.actions[0]?.commands[0]?.params[1]).toEqual({ key: 'Args', value: `-ProcessId 6324 -OutputName ${runId}` });
    expect(submit?.body).toEqual({ runId, deviceId: DEVICE });
  });

  it('starts nothing new when the same alert is delivered again', async () => {
    const { deps } = await planned();
    const again = await handleAlertMessage(deps, alert, { messageId: 'm2', deliveryCount: 1 });
    expect(again).toMatchObject({ kind: 'started', created: [false] });
    expect(deps.runs.runs.size).toBe(1);
  });

  it('reports why no playbook answers a low-severity alert', async () => {
    const deps = fakeDeps();
    const outcome = await handleAlertMessage(deps, { ...alert, severity: 'Low' }, delivery);
    expect(outcome).toMatchObject({ kind: 'no-playbook' });
    if (outcome.kind === 'no-playbook') expect(outcome.reasons['process-memory-dump']).toContain('severity Low is below Medium');
  });
});

describe('submission', () => {
  it('submits the rendered commands with a correlation comment and schedules the first poll', async () => {
    const { deps, runId, submit } = await planned();
    deps.defender.onRunLiveResponse = (id) => Promise.resolve(machineAction({ id: 'act-1', machineId: id }));
    expect(await handleActionMessage(deps, submit?.body, delivery)).toBe('submitted');
    const request = deps.defender.calls.find((c) => c.method === 'runLiveResponse')?.args[1] as { Comment: string };
    expect(request.Comment).toContain(`corr=${runId}.`);
    const [poll] = deps.bus.take('polls');
    expect(poll?.notBeforeMs).toBe(deps.clock.nowMs() + deps.config.polling.firstDelayMs);
    expect((await deps.runs.getAction(runId, DEVICE))?.value).toMatchObject({ state: 'submitted', machineActionId: 'act-1' });
  });

  it('on a 429 pushes every submission back by Retry-After and requeues this one', async () => {
    const { deps, runId, submit } = await planned();
    deps.defender.onRunLiveResponse = () => Promise.reject(new ThrottledError('429', 42_000));
    expect(await handleActionMessage(deps, submit?.body, delivery)).toBe('deferred');
    expect(deps.bus.take('actions')[0]?.notBeforeMs).toBe(deps.clock.nowMs() + 42_000);
    expect((await deps.pacer.snapshot()).penaltyUntilMs).toBe(deps.clock.nowMs() + 42_000);
    expect((await deps.runs.getAction(runId, DEVICE))?.value.state).toBe('queued');
  });

  it('on ActiveRequestAlreadyExists reschedules the device without a penalty for others', async () => {
    const { deps, submit } = await planned();
    deps.defender.onRunLiveResponse = (id) => Promise.reject(new DeviceBusyError(id, 'busy'));
    expect(await handleActionMessage(deps, submit?.body, delivery)).toBe('deferred');
    expect(deps.bus.take('actions')[0]?.notBeforeMs).toBe(deps.clock.nowMs() + deps.config.polling.deviceBusyRetryMs);
    const pacing = await deps.pacer.snapshot();
    expect(pacing.penaltyUntilMs).toBe(0);
    expect(pacing.holds).toEqual({});
    expect(pacing.busy[DEVICE]).toMatchObject({ count: 1 });
  });

  it('on ActiveRequestAlreadyExists caused by our own earlier action adopts it instead of backing the device off', async () => {
    const { deps, runId, submit } = await planned();
    let comment = '';
    deps.defender.onRunLiveResponse = (id, request) => {
      comment = request.Comment;
      return Promise.reject(new DeviceBusyError(id, 'Action is already in progress'));
    };
    deps.defender.onListMachineActions = () =>
      Promise.resolve([machineAction({ id: 'act-earlier', machineId: DEVICE, requestorComment: comment })]);
    expect(await handleActionMessage(deps, submit?.body, delivery)).toBe('adopted');
    expect((await deps.runs.getAction(runId, DEVICE))?.value).toMatchObject({ state: 'submitted', machineActionId: 'act-earlier' });
    expect((await deps.pacer.snapshot()).busy[DEVICE]).toBeUndefined();
    expect(deps.bus.take('actions')).toEqual([]);
  });

  /** Submits once and loses the answer (the action was created); resolves to the Comment the POST carried. */
  async function losePost(deps: ReturnType<typeof fakeDeps>, body: unknown): Promise<string> {
    let comment = '';
    deps.defender.onRunLiveResponse = (_id, request) => {
      comment = request.Comment;
      return Promise.reject(new TransientError('socket hang up after the request was sent'));
    };
    await expect(handleActionMessage(deps, body, delivery)).rejects.toThrow(TransientError);
    return comment;
  }

  it('adopts the action a lost POST created instead of submitting twice', async () => {
    const { deps, runId, submit } = await planned();
    const comment = await losePost(deps, submit?.body);
    deps.defender.onListMachineActions = () =>
      Promise.resolve([machineAction({ id: 'act-lost', machineId: DEVICE, requestorComment: comment })]);
    expect(await handleActionMessage(deps, submit?.body, { messageId: 'm1', deliveryCount: 2 })).toBe('adopted');
    expect(deps.defender.calls.filter((c) => c.method === 'runLiveResponse')).toHaveLength(1);
    expect((await deps.runs.getAction(runId, DEVICE))?.value.machineActionId).toBe('act-lost');
  });

  it('still finds the action a lost POST created when the reconciliation sweep re-drives it much later', async () => {
    const { deps, runId, submit } = await planned();
    const comment = await losePost(deps, submit?.body);
    const attemptMs = (await deps.runs.getAction(runId, DEVICE))?.value.updatedMs ?? 0;
    deps.clock.advance(deps.config.reconcile.staleMs);
    expect(await sweepRuns(deps)).toMatchObject({ resubmitted: 1 });
    deps.defender.onListMachineActions = (q) =>
      Promise.resolve(
        (q.createdAfterMs ?? 0) <= attemptMs ? [machineAction({ id: 'act-lost', machineId: DEVICE, requestorComment: comment })] : [],
      );
    const [resent] = deps.bus.take('actions').slice(-1);
    expect(await handleActionMessage(deps, resent?.body, { messageId: 'm-redrive', deliveryCount: 1 })).toBe('adopted');
    expect(deps.defender.calls.filter((c) => c.method === 'runLiveResponse')).toHaveLength(1);
  });

  it('looks again later, without failing the delivery, when the look-up for a lost POST’s action is throttled', async () => {
    const { deps, runId, submit } = await planned();
    const comment = await losePost(deps, submit?.body);
    deps.defender.onListMachineActions = () => Promise.reject(new ThrottledError('status budget spent', 20_000));
    expect(await handleActionMessage(deps, submit?.body, { messageId: 'm1', deliveryCount: 2 })).toBe('deferred');
    const [verify] = deps.bus.take('actions');
    expect(verify?.notBeforeMs).toBe(deps.clock.nowMs() + 20_000);
    expect((await deps.runs.getAction(runId, DEVICE))?.value.state).toBe('submitting');
    deps.clock.advance(20_000);
    deps.defender.onListMachineActions = () =>
      Promise.resolve([machineAction({ id: 'act-lost', machineId: DEVICE, requestorComment: comment })]);
    expect(await handleActionMessage(deps, verify?.body, { messageId: 'm2', deliveryCount: 1 })).toBe('adopted');
    expect(deps.defender.calls.filter((c) => c.method === 'runLiveResponse')).toHaveLength(1);
  });

  it('keeps looking for a lost POST’s action while list lag hides it, and adopts it instead of submitting twice', async () => {
    const { deps, runId, submit } = await planned();
    const lagMs = 3 * 60_000;
    const createdMs = deps.clock.nowMs();
    const comment = await losePost(deps, submit?.body);
    // Defender created the action, but its lists show it only `lagMs` later.
    deps.defender.onListMachineActions = () =>
      Promise.resolve(
        deps.clock.nowMs() < createdMs + lagMs ? [] : [machineAction({ id: 'act-lagged', machineId: DEVICE, requestorComment: comment })],
      );
    deps.defender.onRunLiveResponse = (id) => Promise.resolve(machineAction({ id: 'act-second', machineId: id }));
    expect(await handleActionMessage(deps, submit?.body, { messageId: 'm1', deliveryCount: 2 })).toBe('deferred');
    const outcomes: string[] = [];
    for (let message = deps.bus.take('actions')[0]; message; message = deps.bus.take('actions')[0]) {
      deps.clock.set(Math.max(deps.clock.nowMs(), message.notBeforeMs ?? 0));
      outcomes.push(await handleActionMessage(deps, message.body, delivery));
    }
    expect(outcomes).toEqual(['adopted']);
    expect(deps.defender.calls.filter((c) => c.method === 'runLiveResponse')).toHaveLength(1);
    expect((await deps.runs.getAction(runId, DEVICE))?.value.machineActionId).toBe('act-lagged');
  });

  it('books a manual run in one write: ten submissions for now, the rest the send lead before their slots', async () => {
    const deps = fakeDeps();
    const devices = Array.from({ length: 12 }, (_, i) => i.toString(16).padStart(40, 'b'));
    const started = await startManualRun(deps, { playbook: 'collect-hosts-file', devices, reason: 'INC-1' }, analyst());
    expect(started.ok).toBe(true);
    const { safetyMarginMs, sendLeadMs } = deps.config.limits;
    const arrivals = deps.bus
      .take('actions')
      .map((m) => (m.notBeforeMs ?? 0) - deps.clock.nowMs())
      .sort((a, b) => a - b);
    // The quota is idle: the first ten slots are now, and their messages come now.
    expect(arrivals).toEqual([...Array<number>(10).fill(0), 60_000 + safetyMarginMs - sendLeadMs, 60_000 + safetyMarginMs - sendLeadMs]);
    expect(Object.values((await deps.pacer.snapshot()).holds).filter((h) => h.kind === 'reserved')).toHaveLength(12);
  });

  it('asks for a slot again when the delivery that was admitted died before marking the action', async () => {
    const deps = fakeDeps();
    await handleAlertMessage(deps, alert, delivery);
    const [submit] = deps.bus.take('actions');
    const replace = deps.runs.replaceAction.bind(deps.runs);
    deps.runs.replaceAction = () => Promise.reject(new TransientError('the instance died before marking the action'));
    await expect(handleActionMessage(deps, submit?.body, delivery)).rejects.toThrow(TransientError);
    deps.runs.replaceAction = replace;
    deps.defender.onRunLiveResponse = (id) => Promise.resolve(machineAction({ id: 'act-1', machineId: id }));
    // Redelivered at once: the admission may still be acted on, so it only looks again later.
    expect(await handleActionMessage(deps, submit?.body, { messageId: 'm1', deliveryCount: 2 })).toBe('deferred');
    const [check] = deps.bus.take('actions');
    deps.clock.set(check?.notBeforeMs ?? 0);
    expect(await handleActionMessage(deps, check?.body, delivery)).toBe('submitted');
    expect(deps.defender.calls.filter((c) => c.method === 'runLiveResponse')).toHaveLength(1);
  });

  it('calls at once on a slot free now, and for a later slot comes the send lead early and calls on the slot itself', async () => {
    const deps = fakeDeps();
    const devices = Array.from({ length: 11 }, (_, i) => i.toString(16).padStart(40, 'c'));
    await startManualRun(deps, { playbook: 'collect-hosts-file', devices, reason: 'INC-1' }, analyst());
    const postedAtMs: number[] = [];
    deps.defender.onRunLiveResponse = (id) => {
      postedAtMs.push(deps.clock.nowMs());
      return Promise.resolve(machineAction({ id: `act-${id}`, machineId: id }));
    };
    const startMs = deps.clock.nowMs();
    const messages = deps.bus.take('actions').sort((a, b) => (a.notBeforeMs ?? 0) - (b.notBeforeMs ?? 0));
    for (const m of messages) {
      if ((m.notBeforeMs ?? 0) > deps.clock.nowMs()) deps.clock.set(m.notBeforeMs ?? 0);
      expect(await handleActionMessage(deps, m.body, delivery)).toBe('submitted');
    }
    // The first ten called at once, when the run started; the eleventh came the send lead early and called on
    // its own slot, a span after them.
    const { safetyMarginMs } = deps.config.limits;
    expect(postedAtMs.slice(0, 10)).toEqual(Array<number>(10).fill(startMs));
    expect(postedAtMs.at(-1)).toBe(startMs + 60_000 + safetyMarginMs);
  });

  it('admits ten calls in a minute and brings the eleventh back the send lead before its slot a window (plus margin) later', async () => {
    const deps = fakeDeps();
    deps.defender.onRunLiveResponse = (id) => Promise.resolve(machineAction({ id: `act-${id}`, machineId: id }));
    const outcomes: string[] = [];
    const startMs = deps.clock.nowMs();
    for (let i = 0; i < 11; i++) {
      const device = i.toString(16).padStart(40, 'a');
      await handleAlertMessage(deps, { ...alert, id: `alert-${i}`, machineId: device }, delivery);
      const [submit] = deps.bus.take('actions');
      outcomes.push(await handleActionMessage(deps, submit?.body, delivery));
    }
    expect(outcomes.filter((o) => o === 'submitted')).toHaveLength(10);
    expect(outcomes[10]).toBe('deferred');
    // The first call went out at once, on the slot booked when the first run started.
    const { safetyMarginMs, sendLeadMs } = deps.config.limits;
    expect(deps.bus.take('actions')[0]?.notBeforeMs).toBe(startMs + 60_000 + safetyMarginMs - sendLeadMs);
  });
});

describe('polling and collection', () => {
  async function submitted() {
    const ctx = await planned();
    ctx.deps.defender.onRunLiveResponse = (id) => Promise.resolve(machineAction({ id: 'act-1', machineId: id }));
    await handleActionMessage(ctx.deps, ctx.submit?.body, delivery);
    const [poll] = ctx.deps.bus.take('polls');
    return { ...ctx, poll };
  }
  const commands = (first: string, second: string) => [
    {
      index: 0,
      commandStatus: first,
      errors: first === 'Failed' ? ['Access is denied'] : [],
      command: { type: 'RunScript' as const, params: [] },
    },
    { index: 1, commandStatus: second, errors: [], command: { type: 'GetFile' as const, params: [] } },
  ];
  const reporting = (deps: ReturnType<typeof fakeDeps>, status: MachineAction['status'], cmds: MachineAction['commands'] = []) => {
    deps.defender.onListMachineActions = (q) =>
      Promise.resolve((q.ids ?? []).map((id) => machineAction({ id, machineId: DEVICE, status, commands: cmds })));
  };
  async function tick(deps: ReturnType<typeof fakeDeps>, message: { body: unknown; notBeforeMs?: number } | undefined) {
    if (message?.notBeforeMs !== undefined) deps.clock.set(Math.max(deps.clock.nowMs(), message.notBeforeMs));
    return handlePollTick(deps, message?.body, delivery);
  }

  it('reads every due action in one GET with id in (...)', async () => {
    const { deps, poll } = await submitted();
    reporting(deps, 'InProgress');
    expect(await tick(deps, poll)).toBe('polled');
    expect(deps.defender.calls.filter((c) => c.method === 'listMachineActions').map((c) => c.args[0])).toEqual([{ ids: ['act-1'] }]);
    expect(deps.bus.take('polls')[0]?.notBeforeMs).toBe(deps.clock.nowMs() + deps.config.polling.inProgressMs);
  });

  it('polls an offline device rarely, then cancels it at the deadline and frees the device', async () => {
    const { deps, runId, poll } = await submitted();
    reporting(deps, 'Pending');
    deps.defender.onCancel = (id) => Promise.resolve(machineAction({ id, machineId: DEVICE, status: 'Cancelled' }));
    await tick(deps, poll);
    deps.clock.advance(2 * 60_000);
    await tick(deps, deps.bus.take('polls')[0]);
    const [rare] = deps.bus.take('polls');
    expect(rare?.notBeforeMs).toBe(deps.clock.nowMs() + deps.config.polling.pendingMs);
    deps.clock.advance(3 * 24 * 3_600_000);
    await tick(deps, rare);
    expect(deps.defender.calls.some((c) => c.method === 'cancelMachineAction')).toBe(true);
    expect((await deps.runs.getAction(runId, DEVICE))?.value).toMatchObject({
      state: 'ended',
      actionStatus: 'Cancelled',
      lastError: expect.stringMatching(/expired/) as string,
    });
    expect((await deps.pacer.snapshot()).holds).toEqual({});
    expect(deps.bus.take('polls')).toEqual([]);
  });

  it('ignores a stale duplicate tick', async () => {
    const { deps, poll } = await submitted();
    reporting(deps, 'InProgress');
    await tick(deps, poll);
    expect(await tick(deps, poll)).toBe('stale');
  });

  it('queues no collection for commands a failure stopped', async () => {
    const { deps, poll } = await submitted();
    reporting(deps, 'Failed', commands('Failed', 'Created'));
    await tick(deps, poll);
    expect(deps.bus.take('collect')).toEqual([]);
    expect((await deps.pacer.snapshot()).holds).toEqual({});
  });

  it('collects each completed result into a new blob with both hashes, once', async () => {
    const { deps, runId, poll } = await submitted();
    reporting(deps, 'Succeeded', commands('Completed', 'Completed'));
    await tick(deps, poll);
    const collects = deps.bus.take('collect');
    expect(collects.map((c) => (c.body as { commandIndex: number }).commandIndex)).toEqual([0, 1]);
    const original = Buffer.from('MDMP memory dump bytes');
    const gz = gzipSync(original);
    deps.defender.onDownload = () => Promise.resolve({ body: Readable.from([gz]) });
    expect(await handleCollectMessage(deps, collects[1]?.body, delivery)).toBe('collected');
    expect(await handleCollectMessage(deps, collects[1]?.body, { messageId: 'x', deliveryCount: 2 })).toBe('duplicate');
    const [item] = (await deps.runs.getRun(runId))?.evidence ?? [];
    expect(item).toMatchObject({
      commandType: 'GetFile',
      sizeBytes: gz.length,
      sha256: createHash('sha256').update(gz).digest('hex'),
      originalSha256: createHash('sha256').update(original).digest('hex'),
    });
    expect(deps.evidence.blobs.has(`${runId}/manifest.json`)).toBe(true);
    expect(deps.defender.calls.filter((c) => c.method === 'downloadResult')).toHaveLength(1);
  });

  it('collects the results whose collect messages were lost once the reconciliation sweep finds them stale', async () => {
    const { deps, runId, poll } = await submitted();
    reporting(deps, 'Succeeded', commands('Completed', 'Completed'));
    await tick(deps, poll);
    // The worker crashed after recording the end: its collect messages never reached the queue.
    expect(deps.bus.take('collect')).toHaveLength(2);
    expect((await getRunStatus(deps, runId))?.phase).toBe('collecting');
    deps.clock.advance(deps.config.reconcile.staleMs);
    expect(await sweepRuns(deps)).toMatchObject({ recollected: 1 });
    deps.defender.onDownload = () => Promise.resolve({ body: Readable.from([gzipSync(Buffer.from('bytes'))]) });
    for (const message of deps.bus.take('collect')) expect(await handleCollectMessage(deps, message.body, delivery)).toBe('collected');
    expect((await getRunStatus(deps, runId))?.phase).toBe('ended');
  });

  it('collects the results of an action the tick saw end before its submitter recorded it as submitted', async () => {
    const { deps, runId, submit } = await planned();
    deps.defender.onRunLiveResponse = (id) => Promise.resolve(machineAction({ id: 'act-1', machineId: id }));
    // The submitter's run-record write fails after the pacing hold (which the tick follows) was recorded.
    const replace = deps.runs.replaceAction.bind(deps.runs);
    let failNext = true;
    deps.runs.replaceAction = (action, etag) => {
      if (action.state === 'submitted' && failNext) {
        failNext = false;
        return Promise.reject(new TransientError('storage unavailable'));
      }
      return replace(action, etag);
    };
    await expect(handleActionMessage(deps, submit?.body, delivery)).rejects.toThrow(TransientError);
    expect((await deps.runs.getAction(runId, DEVICE))?.value.state).toBe('submitting');

    reporting(deps, 'Succeeded', commands('Completed', 'Completed'));
    await tick(deps, deps.bus.take('polls')[0]);
    expect((await deps.runs.getAction(runId, DEVICE))?.value).toMatchObject({ state: 'ended', machineActionId: 'act-1' });
    const collects = deps.bus.take('collect');
    expect(collects).toHaveLength(2);
    deps.defender.onDownload = () => Promise.resolve({ body: Readable.from([gzipSync(Buffer.from('dump'))]) });
    expect(await handleCollectMessage(deps, collects[1]?.body, delivery)).toBe('collected');
  });

  it('ends the run with the reason when a result can never be collected, instead of collecting forever', async () => {
    const { deps, runId, poll } = await submitted();
    reporting(deps, 'Succeeded', commands('Completed', 'Completed'));
    await tick(deps, poll);
    const [transcript, dump] = deps.bus.take('collect');
    deps.defender.onDownload = () => Promise.resolve({ body: Readable.from([gzipSync(Buffer.from('ok'))]) });
    expect(await handleCollectMessage(deps, transcript?.body, delivery)).toBe('collected');
    deps.defender.onLink = () => Promise.reject(new PermanentError('result link refused: scheme http: is not https'));
    expect((await getRunStatus(deps, runId))?.phase).toBe('collecting');

    expect(await handleCollectMessage(deps, dump?.body, delivery)).toBe('dead-lettered');

    const status = await getRunStatus(deps, runId);
    expect(status?.phase).toBe('ended');
    expect(status?.devices[0]?.evidenceFailed).toEqual([
      { commandIndex: 1, reason: expect.stringMatching(/^CollectionFailed: .*scheme http/) as string },
    ]);
    expect(deps.bus.deadLettered.map((d) => d.reason.reason)).toEqual(['CollectionFailed']);
  });

  it('ends the run with the reason when a transfer fails on every retry', async () => {
    const { deps, runId, poll } = await submitted();
    reporting(deps, 'Succeeded', commands('Completed', 'Completed'));
    await tick(deps, poll);
    deps.defender.onLink = () => Promise.reject(new TransientError('connection reset'));
    let pending = deps.bus.take('collect');
    for (let round = 0; pending.length > 0 && round < 20; round++) {
      for (const message of pending) await handleCollectMessage(deps, message.body, delivery);
      pending = deps.bus.take('collect');
    }
    const status = await getRunStatus(deps, runId);
    expect(status?.phase).toBe('ended');
    expect(status?.devices[0]?.evidenceFailed.map((f) => f.commandIndex)).toEqual([0, 1]);
    expect(new Set(deps.bus.deadLettered.map((d) => d.reason.reason))).toEqual(new Set(['CollectionRetriesExhausted']));
  });

  it('retries a transfer that breaks mid-way with a fresh link and records nothing until it succeeds', async () => {
    const { deps, runId, poll } = await submitted();
    reporting(deps, 'Succeeded', commands('Completed', 'Completed'));
    await tick(deps, poll);
    const collect = deps.bus.take('collect')[1];
    const gz = gzipSync(Buffer.from('dump'));
    deps.defender.onDownload = () =>
      Promise.resolve({
        body: new Readable({
          read() {
            this.push(gz.subarray(0, 5));
            this.destroy(new TransientError('connection reset'));
          },
        }),
      });
    expect(await handleCollectMessage(deps, collect?.body, delivery)).toBe('deferred');
    expect((await deps.runs.getRun(runId))?.evidence).toEqual([]);
    const [retry] = deps.bus.take('collect');
    expect(retry?.body).toMatchObject({ commandIndex: 1, attempt: 1 });
    expect(retry?.notBeforeMs).toBeGreaterThan(deps.clock.nowMs());
    deps.defender.onDownload = () => Promise.resolve({ body: Readable.from([gz]) });
    expect(await handleCollectMessage(deps, retry?.body, delivery)).toBe('collected');
    expect(deps.defender.calls.filter((c) => c.method === 'getResultDownloadLink')).toHaveLength(2);
  });
});
