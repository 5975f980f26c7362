import { describe, expect, it } from 'vitest';
import type { MachineAction } from '../../../../shared/defender/types.js';
import { sessionsOpen } from '../../../../shared/pacing/state.js';
import { handleAlertMessage } from '../../../../shared/services/intake/alertIntake.js';
import { handlePollTick } from '../../../../shared/services/polling/pollTick.js';
import { handleActionMessage } from '../../../../shared/services/submission/submitter.js';
import { DEVICE, fakeDeps, machineAction } from '../../../helpers/fakes.js';
import { answeredAlert as alert, firstDelivery as first, redelivery as again, until } from '../../../helpers/lateDeliveries.js';

type Deps = ReturnType<typeof fakeDeps>;

/**
 * Run A's submission is delivered, and its POST stays unanswered; the message
 * is delivered again, adopts the action the POST created, and its end is
 * applied by a tick while the first delivery still waits. Run B waits for
 * the device meanwhile. Resolves with the first delivery's POST still open.
 */
async function lateAnswer(): Promise<{ deps: Deps; answer: () => Promise<unknown>; tickNow: () => Promise<unknown> }> {
  const deps = fakeDeps();
  const started = await handleAlertMessage(deps, alert, first);
  if (started.kind !== 'started') throw new Error(`expected a run, got ${started.kind}`);
  const [submit] = deps.bus.take('actions');
  let comment = '';
  let answerPost: (action: MachineAction) => void = () => undefined;
  deps.defender.onRunLiveResponse = (_id, request) => {
    comment = request.Comment;
    return new Promise<MachineAction>((resolve) => {
      answerPost = resolve;
    });
  };
  const slow = handleActionMessage(deps, submit?.body, first);
  await until(() => comment !== '');

  deps.clock.advance(10 * 60_000);
  deps.defender.onListMachineActions = (q) =>
    Promise.resolve(
      q.ids
        ? q.ids.map((id) => machineAction({ id, machineId: DEVICE, status: 'Succeeded' }))
        : [machineAction({ id: 'act-1', machineId: DEVICE, requestorComment: comment })],
    );
  expect(await handleActionMessage(deps, submit?.body, again)).toBe('adopted');
  expect((await deps.pacer.requestSlot({ deviceId: DEVICE, runId: 'run-b' })).kind).toBe('queued');

  const tickNow = async (): Promise<unknown> => {
    const tick = deps.bus.take('polls').at(-1);
    deps.clock.set(Math.max(deps.clock.nowMs(), tick?.notBeforeMs ?? 0));
    return handlePollTick(deps, tick?.body, first);
  };
  const answer = async (): Promise<unknown> => {
    answerPost(machineAction({ id: 'act-1', machineId: DEVICE }));
    return slow;
  };
  return { deps, answer, tickNow };
}

describe('a submission whose POST is answered after its action has already ended', () => {
  it('takes no session again and leaves the device to the run it was handed to', async () => {
    const { deps, answer, tickNow } = await lateAnswer();
    expect(await tickNow()).toBe('polled');
    expect((await deps.pacer.snapshot()).holds[DEVICE]).toMatchObject({ kind: 'reserved', runId: 'run-b' });

    await answer();

    const pacing = await deps.pacer.snapshot();
    expect(pacing.holds[DEVICE]).toMatchObject({ kind: 'reserved', runId: 'run-b' });
    expect(sessionsOpen(pacing)).toBe(0);
  });

  it('gives the session back when the end is applied while it records the answer', async () => {
    const { deps, answer, tickNow } = await lateAnswer();
    // The tick applies the end just after the late delivery has read the run record (still open), before it writes the hold.
    const read = deps.runs.getAction.bind(deps.runs);
    let interleave: (() => Promise<unknown>) | undefined = tickNow;
    deps.runs.getAction = async (runId, deviceId) => {
      const seen = await read(runId, deviceId);
      const now = interleave;
      interleave = undefined;
      if (now) expect(await now()).toBe('polled');
      return seen;
    };

    await answer();

    expect(interleave).toBeUndefined();
    const pacing = await deps.pacer.snapshot();
    expect(pacing.holds[DEVICE]).toMatchObject({ kind: 'reserved', runId: 'run-b' });
    expect(sessionsOpen(pacing)).toBe(0);
  });
});
