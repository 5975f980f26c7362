import { isTerminal } from '../../defender/types.js';
import { ThrottledError, TransientError, describeError } from '../../errors.js';
import type { DeviceAction } from '../../runs/model.js';
import { markCancelled, requestCancel } from '../../runs/transitions.js';
import { updateAction } from '../../runs/updateAction.js';
import { applyActionStatus, cancelComment, cancelOpenAction } from '../polling/actionStatus.js';
import { ensurePollTick } from '../polling/pollTick.js';
import type { CancelDeps } from './deps.js';
import { releaseDevice } from '../submission/handOver.js';

export type CancelOutcome = 'cancelled' | 'cancelling' | 'already-ended' | 'not-found';

/** What a cancel did for one device of the run. */
export interface DeviceCancel {
  deviceId: string;
  outcome: CancelOutcome;
  detail: string;
}

export interface CancelRequest {
  /** The verified caller, as records name it. */
  by: string;
  reason: string;
}

/**
 * Cancels one device action of a run, by its state:
 * - queued (never sent): recorded `cancelled` and its send slot given back;
 *   a submit message that comes later finds it and sends nothing;
 * - submitting (a POST may be in flight): the request is recorded, and the
 *   submitter cancels the action it creates as soon as it records it;
 * - submitted: Defender's cancel is called (status budget); not now → the
 *   poll tick asks at the device's next look, planned for when it may;
 * - ended, rejected, cancelled: nothing to do, reported as it stands.
 * Asking again calls Defender only for an action still open.
 */
export async function cancelDevice(deps: CancelDeps, action: DeviceAction, request: CancelRequest): Promise<DeviceCancel> {
  const nowMs = deps.clock.nowMs();
  const saved = await updateAction(deps.runs, action.runId, action.deviceId, (a) => {
    const asked = requestCancel(a, request, nowMs) ?? a;
    if (asked.state === 'queued' && asked.cancelledBy !== undefined) return markCancelled(asked, nowMs);
    return asked === a ? undefined : asked;
  });
  const answer = (outcome: CancelOutcome, detail: string): DeviceCancel => ({ deviceId: action.deviceId, outcome, detail });
  if (!saved) return answer('not-found', `device ${action.deviceId} has no action in run ${action.runId}`);
  switch (saved.state) {
    case 'cancelled':
      await releaseDevice(deps, saved.deviceId, saved.runId);
      return answer('cancelled', `never sent; ${saved.lastError ?? ''}`);
    case 'queued':
    case 'submitting':
      return answer('cancelling', 'a submission may be in flight: the action it creates is cancelled as soon as it is recorded');
    case 'submitted':
      return cancelSubmitted(deps, saved, answer);
    case 'ended':
      return endedAnswer(saved, answer);
    case 'rejected':
      return answer('already-ended', `Defender refused the submission: ${saved.lastError ?? ''}`);
  }
}

type Answer = (outcome: CancelOutcome, detail: string) => DeviceCancel;

async function cancelSubmitted(deps: CancelDeps, saved: DeviceAction, answer: Answer): Promise<DeviceCancel> {
  const actionId = saved.machineActionId;
  if (actionId === undefined) return answer('cancelling', 'submitted, its action id not yet recorded: the poll tick cancels it');
  const ours = { runId: saved.runId, deviceId: saved.deviceId, submittedMs: saved.submittedMs ?? saved.updatedMs };
  const attempt = await cancelOpenAction(deps, ours, actionId, cancelComment(saved));
  const log = deps.logger.child({ runId: saved.runId, deviceId: saved.deviceId, actionId });
  log.log(attempt.kind === 'ended' ? 'info' : 'warn', 'operator cancel of an open action', { attempt: attempt.kind });
  if (attempt.kind === 'not-now') {
    await ensurePollTick(deps, attempt.nextLookMs);
    return answer('cancelling', `Defender's cancel must wait (${attempt.error}): the poll tick cancels it`);
  }
  if (attempt.kind === 'refused') {
    const ended = await readEnd(deps, ours, actionId);
    if (!ended) return answer('cancelling', `Defender refused the cancel (${attempt.error}): the poll tick asks again`);
  }
  const record = (await deps.runs.getAction(saved.runId, saved.deviceId))?.value ?? saved;
  return record.state === 'ended' ? endedAnswer(record, answer) : answer('cancelling', 'the poll tick records its end');
}

/** After a refused cancel: reads the action and, when it has ended, applies its end (its evidence is collected). */
async function readEnd(deps: CancelDeps, ours: Parameters<typeof applyActionStatus>[1], actionId: string): Promise<boolean> {
  try {
    const current = await deps.defender.getMachineAction(actionId);
    if (!isTerminal(current.status)) return false;
    await applyActionStatus(deps, ours, current);
    return true;
  } catch (error) {
    if (!(error instanceof ThrottledError || error instanceof TransientError)) throw error;
    deps.logger.log('warn', 'could not read an action whose cancel was refused; the poll tick will', {
      runId: ours.runId,
      deviceId: ours.deviceId,
      actionId,
      error: describeError(error),
    });
    return false;
  }
}

function endedAnswer(record: DeviceAction, answer: Answer): DeviceCancel {
  const action = `Defender action ${record.machineActionId ?? '?'}`;
  if (record.actionStatus === 'Cancelled' && record.cancelledBy !== undefined)
    return answer('cancelled', `${action} ${record.lastError ?? ''}`);
  return answer('already-ended', `${action} ended ${record.actionStatus ?? ''} before the cancel; its completed results are collected`);
}
