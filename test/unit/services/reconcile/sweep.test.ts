import { describe, expect, it } from 'vitest';
import { HOUR_MS, MINUTE_MS } from '../../../../shared/clock.js';
import { deviceActionSchema, type DeviceAction } from '../../../../shared/runs/model.js';
import { SWEEP_CURSOR, sweepRuns } from '../../../../shared/services/reconcile/sweep.js';
import { getRunStatus } from '../../../../shared/services/status/runStatus.js';
import { fakeDeps, machineAction } from '../../../helpers/fakes.js';
import { makeEvidence, makeRun } from '../../../helpers/runRecords.js';

const STALE_MS = 2 * HOUR_MS;

/** A fake pipeline with one run whose one device action is in `state` (changes applied), last touched now. */
async function withAction(changes: Partial<DeviceAction>, runId = 'run-1') {
  const deps = fakeDeps();
  const nowMs = deps.clock.nowMs();
  const action = deviceActionSchema.parse({
    runId,
    deviceId: 'dev-1',
    commands: [{ type: 'GetFile', params: [{ key: 'Path', value: 'C:\\Windows\\Temp\\x.log' }] }],
    comment: `lr:${runId}`,
    state: 'queued',
    collectIndexes: [0],
    createdMs: nowMs,
    updatedMs: nowMs,
    ...changes,
  });
  await deps.runs.createRun(makeRun(runId, ['dev-1'], 'da-1', nowMs), [action]);
  return deps;
}

const ended: Partial<DeviceAction> = {
  state: 'ended',
  machineActionId: 'ma-1',
  actionStatus: 'Succeeded',
  commandOutcomes: [{ index: 0, type: 'GetFile', commandStatus: 'Completed', errors: [] }],
};

describe('the reconciliation sweep', () => {
  it('leaves an action alone while it is making progress', async () => {
    const deps = await withAction({ state: 'queued' });
    deps.clock.advance(STALE_MS - MINUTE_MS);
    expect(await sweepRuns(deps)).toMatchObject({ runsRead: 1, resubmitted: 0 });
    expect(deps.bus.sent).toEqual([]);
  });

  it('sends the submit message again for an action left submitting by nobody, and counts the re-drive', async () => {
    const deps = await withAction({ state: 'submitting', submitAttempts: 1 });
    deps.clock.advance(STALE_MS);
    expect(await sweepRuns(deps)).toMatchObject({ resubmitted: 1 });
    expect(deps.bus.take('actions')).toMatchObject([{ body: { runId: 'run-1', deviceId: 'dev-1' }, properties: { reason: 'reconcile' } }]);
    const saved = await deps.runs.getAction('run-1', 'dev-1');
    // updatedMs stays the time of the last attempt: the submitter looks for a lost POST's action from it.
    expect(saved?.value).toMatchObject({
      state: 'submitting',
      redrives: 1,
      redrivenMs: deps.clock.nowMs(),
      updatedMs: deps.clock.nowMs() - STALE_MS,
    });
    // The re-drive is progress: the next firing waits another stale period.
    expect(await sweepRuns(deps)).toMatchObject({ resubmitted: 0 });
  });

  it('queues the collection again for results of an ended action that were never stored', async () => {
    const deps = await withAction(ended);
    deps.clock.advance(STALE_MS);
    expect(await sweepRuns(deps)).toMatchObject({ recollected: 1 });
    const [message] = deps.bus.take('collect');
    expect(message).toMatchObject({ body: { runId: 'run-1', deviceId: 'dev-1', machineActionId: 'ma-1', commandIndex: 0, attempt: 0 } });
    expect(message?.messageId).toBe('run-1.dev-1.collect.0.0.redrive1');
  });

  it('does not queue a collection for results already stored', async () => {
    const deps = await withAction(ended);
    await deps.runs.putEvidence(makeEvidence('run-1', 'dev-1', 'ma-1', 0));
    deps.clock.advance(STALE_MS * 3);
    expect(await sweepRuns(deps)).toMatchObject({ recollected: 0, gaveUp: 0 });
    expect(deps.bus.sent).toEqual([]);
  });

  it('records results as failed for good after the last re-drive made no progress, so the run ends', async () => {
    const deps = await withAction({ ...ended, redrives: 3 });
    deps.clock.advance(STALE_MS);
    expect(await sweepRuns(deps)).toMatchObject({ gaveUp: 1 });
    const status = await getRunStatus(deps, 'run-1');
    expect(status?.phase).toBe('ended');
    expect(status?.devices[0]?.evidenceFailed).toEqual([
      { commandIndex: 0, reason: expect.stringMatching(/^ReconciliationGaveUp/) as string },
    ]);
  });

  it('re-reads a submitted action the pacer no longer follows (its hold pruned) and records its end', async () => {
    const deps = await withAction({ state: 'submitted', machineActionId: 'ma-1', submittedMs: 0 });
    deps.defender.onGetMachineAction = (id) =>
      Promise.resolve(
        machineAction({
          id,
          machineId: 'dev-1',
          status: 'Succeeded',
          commands: [{ index: 0, commandStatus: 'Completed', errors: [], command: { type: 'GetFile', params: [] } }],
        }),
      );
    deps.clock.advance(3 * 24 * HOUR_MS + 2 * HOUR_MS);
    expect(await sweepRuns(deps)).toMatchObject({ repolled: 1 });
    expect((await deps.runs.getAction('run-1', 'dev-1'))?.value.state).toBe('ended');
    expect(deps.bus.take('collect')).toHaveLength(1);
  });

  it('leaves a submitted action alone while the pacer follows it', async () => {
    const deps = await withAction({ state: 'submitted', machineActionId: 'ma-1' });
    await deps.pacer.requestSlot({ deviceId: 'dev-1', runId: 'run-1' });
    await deps.pacer.recordSubmitted('dev-1', 'run-1', 'ma-1', deps.clock.nowMs() + 30_000);
    deps.clock.advance(STALE_MS);
    expect(await sweepRuns(deps)).toMatchObject({ repolled: 0 });
    expect(deps.defender.calls).toEqual([]);
  });

  it('reads a bounded page per firing and resumes where the last firing stopped (re-reading the boundary millisecond)', async () => {
    const deps = fakeDeps();
    const config = { ...deps.config, reconcile: { ...deps.config.reconcile, runsPerFiring: 2 } };
    const t0 = deps.clock.nowMs();
    for (let i = 0; i < 5; i++) await deps.runs.createRun(makeRun(`run-${i}`, [], 'da-1', t0 - i * MINUTE_MS), []);
    const firings = [];
    const cursors = [];
    for (let f = 0; f < 5; f++) {
      firings.push(await sweepRuns({ ...deps, config }));
      cursors.push((await deps.watermarks.load(SWEEP_CURSOR))?.value.watermarkMs);
    }
    expect(firings.map((o) => [o.runsRead, o.passEnded])).toEqual([
      [2, false],
      [2, false],
      [2, false],
      [2, true],
      [2, false],
    ]);
    expect(cursors).toEqual([t0 - MINUTE_MS + 1, t0 - 2 * MINUTE_MS + 1, t0 - 3 * MINUTE_MS + 1, 0, t0 - MINUTE_MS + 1]);
  });
});

describe('the reconciliation sweep and booked send slots', () => {
  it('leaves a long-queued action alone while a send slot is booked for it (its message has an appointment)', async () => {
    const deps = await withAction({ state: 'queued' });
    deps.clock.advance(STALE_MS);
    expect((await deps.pacer.bookSlots([{ deviceId: 'dev-1', runId: 'run-1' }])).size).toBe(1);
    expect(await sweepRuns(deps)).toMatchObject({ resubmitted: 0 });
  });

  it('resubmits a long-queued action with no send slot booked for it', async () => {
    const deps = await withAction({ state: 'queued' });
    deps.clock.advance(STALE_MS);
    expect(await sweepRuns(deps)).toMatchObject({ resubmitted: 1 });
  });
});

describe('the reconciliation sweep across states', () => {
  it('re-reads a submitted action the pacer does not follow even after its submission was re-driven to the limit', async () => {
    // Three re-drives while it was queued; it was then submitted, and the pacer lost it.
    const deps = await withAction({ state: 'submitted', machineActionId: 'ma-1', submittedMs: 0, redrives: 3, redriveState: 'queued' });
    deps.defender.onGetMachineAction = (id) => Promise.resolve(machineAction({ id, machineId: 'dev-1', status: 'InProgress' }));
    deps.clock.advance(STALE_MS);
    expect(await sweepRuns(deps)).toMatchObject({ repolled: 1, leftForOperator: 0 });
    expect((await deps.runs.getAction('run-1', 'dev-1'))?.value).toMatchObject({ redrives: 1, redriveState: 'submitted' });
  });
});

describe('the reconciliation sweep and admission holds', () => {
  it('re-reads a submitted action whose device hold is a later admission of its run that names no action (the tick never polls it)', async () => {
    const deps = await withAction({ state: 'submitted', machineActionId: 'ma-1', submittedMs: 0 });
    // A later delivery of the same run was admitted after the hold naming ma-1 was released: an open hold without an action id.
    expect((await deps.pacer.requestSlot({ deviceId: 'dev-1', runId: 'run-1' })).kind).toBe('admit');
    deps.defender.onGetMachineAction = (id) => Promise.resolve(machineAction({ id, machineId: 'dev-1', status: 'InProgress' }));
    deps.clock.advance(STALE_MS);
    expect(await sweepRuns(deps)).toMatchObject({ repolled: 1 });
    expect((await deps.pacer.snapshot()).holds['dev-1']).toMatchObject({ kind: 'open', runId: 'run-1', actionId: 'ma-1' });
  });
});
