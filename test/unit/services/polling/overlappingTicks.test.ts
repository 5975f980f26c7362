import { describe, expect, it } from 'vitest';
import type { MachineAction } from '../../../../shared/defender/types.js';
import { ThrottledError } from '../../../../shared/errors.js';
import { sessionsOpen } from '../../../../shared/pacing/state.js';
import { handleAlertMessage } from '../../../../shared/services/intake/alertIntake.js';
import { applyActionStatus } from '../../../../shared/services/polling/actionStatus.js';
import { handlePollTick } from '../../../../shared/services/polling/pollTick.js';
import { handleActionMessage } from '../../../../shared/services/submission/submitter.js';
import { DEVICE, fakeDeps, machineAction } from '../../../helpers/fakes.js';
import { recordingLogger } from '../../../helpers/faultyTransport.js';
import { answeredAlert as alert, firstDelivery as first, redelivery as again, until } from '../../../helpers/lateDeliveries.js';

type Deps = ReturnType<typeof fakeDeps>;

/** A call that stays unanswered until the test lets it through. */
function gate<T>(): { promise: Promise<T>; open: (value: T) => void } {
  let open: (value: T) => void = () => undefined;
  const promise = new Promise<T>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** One run on DEVICE whose action act-1 was submitted; the tick message the submission scheduled, due now. */
async function submitted(): Promise<{ deps: Deps; runId: string; tick: { body: unknown } }> {
  const deps = fakeDeps();
  const started = await handleAlertMessage(deps, alert, first);
  if (started.kind !== 'started') throw new Error(`expected a run, got ${started.kind}`);
  const [submit] = deps.bus.take('actions');
  deps.defender.onRunLiveResponse = (id) => Promise.resolve(machineAction({ id: 'act-1', machineId: id }));
  expect(await handleActionMessage(deps, submit?.body, first)).toBe('submitted');
  const [tick] = deps.bus.take('polls');
  if (!tick) throw new Error('no tick scheduled');
  deps.clock.set(Math.max(deps.clock.nowMs(), tick.notBeforeMs ?? 0));
  return { deps, runId: started.runIds[0] ?? '', tick };
}

const succeeded = (id: string): MachineAction =>
  machineAction({
    id,
    machineId: DEVICE,
    status: 'Succeeded',
    commands: [{ index: 0, commandStatus: 'Completed', errors: [], command: { type: 'GetFile', params: [] } }],
  });

const statusReads = (deps: Deps): number => deps.defender.calls.filter((c) => c.method === 'listMachineActions').length;

describe('a poll tick whose handling outlives its message lock', () => {
  /** The first delivery of `tick` waits for its GET while `meanwhile` runs; then Defender answers it: act-1 succeeded. */
  async function whileFirstWaits(deps: Deps, tick: { body: unknown }, meanwhile: () => Promise<unknown>): Promise<void> {
    const answer = gate<MachineAction[]>();
    deps.defender.onListMachineActions = () => answer.promise;
    const slow = handlePollTick(deps, tick.body, first);
    await until(() => statusReads(deps) === 1);
    deps.defender.onListMachineActions = (q) => Promise.resolve((q.ids ?? []).map(succeeded));
    await meanwhile();
    answer.open([succeeded('act-1')]);
    await slow;
  }

  it('is not handled a second time by its redelivery while the first delivery still waits for Defender', async () => {
    const { deps, tick } = await submitted();
    await whileFirstWaits(deps, tick, () => {
      deps.clock.advance(60_000);
      return handlePollTick(deps, tick.body, again);
    });
    expect(statusReads(deps)).toBe(1);
    expect(deps.bus.take('collect')).toHaveLength(1);
  });

  it('leaves the actions it is looking at to it when the next tick comes meanwhile', async () => {
    const { deps, tick } = await submitted();
    await whileFirstWaits(deps, tick, async () => {
      // A tick scheduled meanwhile (by a submission of another run) comes while the first is still handled.
      const seq = await deps.pacer.scheduleTick(deps.clock.nowMs() + 5_000);
      deps.clock.advance(5_000);
      expect(await handlePollTick(deps, { seq, tickMs: deps.clock.nowMs() }, first)).toBe('polled');
    });
    expect(statusReads(deps)).toBe(1);
  });

  it('gives its actions back for the next tick when Defender throttles it, instead of keeping them for the lock', async () => {
    const { deps, tick } = await submitted();
    deps.defender.onListMachineActions = () => Promise.reject(new ThrottledError('429', 30_000));
    expect(await handlePollTick(deps, tick.body, first)).toBe('throttled');
    expect((await deps.pacer.nextPollDue()) ?? 0).toBeLessThanOrEqual(deps.clock.nowMs() + 30_000);
  });

  it('gives its actions back to the redelivery when it fails', async () => {
    const { deps, tick } = await submitted();
    deps.defender.onListMachineActions = () => Promise.reject(new Error('socket closed'));
    await expect(handlePollTick(deps, tick.body, first)).rejects.toThrow('socket closed');
    deps.defender.onListMachineActions = (q) => Promise.resolve((q.ids ?? []).map(succeeded));
    expect(await handlePollTick(deps, tick.body, again)).toBe('polled');
    expect(statusReads(deps)).toBe(2);
    expect(sessionsOpen(await deps.pacer.snapshot())).toBe(0);
  });

  it('reports an action’s end once when a later look sees it again', async () => {
    const { logger, lines } = recordingLogger();
    const { deps, runId } = await submitted();
    const withLog = { ...deps, logger };
    const ours = { runId, deviceId: DEVICE, submittedMs: deps.clock.nowMs() };
    await applyActionStatus(withLog, ours, succeeded('act-1'));
    await applyActionStatus(withLog, ours, succeeded('act-1'));
    expect(lines.filter((l) => l.includes('"message":"machine action ended"'))).toHaveLength(1);
    expect(deps.bus.take('collect')).toHaveLength(1);
  });

  it('keeps the actions it has not reached yet for as long as it makes progress', async () => {
    const deps = fakeDeps();
    const startMs = deps.clock.nowMs();
    // 26 open actions: two GETs of 25 and 1.
    for (let i = 0; i < 26; i += 1) await deps.pacer.recordSubmitted(`dev-${i}`, `run-${i}`, `act-${i}`, startMs);
    const seq = await deps.pacer.scheduleTick(startMs);
    const inProgress = (ids: readonly string[]): MachineAction[] =>
      ids.map((id) => machineAction({ id, machineId: DEVICE, status: 'InProgress' }));
    const secondAnswer = gate<MachineAction[]>();
    const reads: string[] = [];
    deps.defender.onListMachineActions = (q) => {
      reads.push(...(q.ids ?? []));
      if (reads.length > 25) return secondAnswer.promise;
      // A slow machine: the first GET and its 25 updates take 6 of the tick's 10 minutes.
      deps.clock.advance(6 * 60_000);
      return Promise.resolve(inProgress(q.ids ?? []));
    };
    const slow = handlePollTick(deps, { seq, tickMs: startMs }, first);
    await until(() => reads.includes('act-25'));

    // 11 minutes after the claim, the lock lapses and the tick is delivered again.
    deps.clock.advance(5 * 60_000);
    deps.defender.onListMachineActions = (q) => {
      reads.push(...(q.ids ?? []));
      return Promise.resolve(inProgress(q.ids ?? []));
    };
    await handlePollTick(deps, { seq, tickMs: startMs }, again);
    secondAnswer.open(inProgress(['act-25']));
    await slow;

    expect(reads.filter((id) => id === 'act-25')).toHaveLength(1);
  });
});
