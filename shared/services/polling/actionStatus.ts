import { isTerminal, type ActionStatus, type MachineAction } from '../../defender/types.js';
import { NotFoundError, PermanentError, ThrottledError, TransientError, describeError } from '../../errors.js';
import type { CommandOutcome, DeviceAction } from '../../runs/model.js';
import { EXPIRED_NOTE, cancelNote, markEnded } from '../../runs/transitions.js';
import { updateAction } from '../../runs/updateAction.js';
import type { PollingDeps } from './deps.js';
import { enqueueCollect } from '../evidence/queueing.js';
import { releaseDevice } from '../submission/handOver.js';

/**
 * When to look at an action again, from what it showed now. Pure. While
 * other runs wait for the device (`waited`), an action in progress or just
 * sent is looked at more often, so the device is handed on soon after it
 * ends; one Pending for long (an offline device) is not.
 */
export function nextPollMs(
  status: ActionStatus,
  submittedMs: number,
  nowMs: number,
  polling: PollingDeps['config']['polling'],
  waited = false,
): number {
  const soonMs = waited ? Math.min(polling.inProgressMs, polling.deviceQueueMs) : polling.inProgressMs;
  if (status === 'InProgress') return nowMs + soonMs;
  // Just submitted: an online device picks it up within moments. Pending for longer: likely offline, look rarely.
  const pendingForMs = nowMs - submittedMs;
  return nowMs + (pendingForMs < 2 * polling.inProgressMs ? soonMs : polling.pendingMs);
}

/**
 * Applies what Defender reports about one of our actions. Ended: record it,
 * free the device's session, queue one collection per completed
 * RunScript/GetFile. Pending past the deadline: cancel it so nothing is left
 * blocking the device, and record the device's result as expired. Otherwise:
 * record progress and plan the next look.
 */
export async function applyActionStatus(
  deps: PollingDeps,
  ours: { runId: string; deviceId: string; submittedMs: number; waited?: boolean },
  action: MachineAction,
): Promise<void> {
  const nowMs = deps.clock.nowMs();
  const outcomes = toOutcomes(action);
  if (isTerminal(action.status)) {
    let endedNow = false;
    const saved = await updateAction(deps.runs, ours.runId, ours.deviceId, (a) => {
      endedNow = a.state !== 'ended';
      return endedNow
        ? markEnded(a, { actionStatus: action.status, commandOutcomes: outcomes, machineActionId: action.id }, nowMs)
        : undefined;
    });
    // Released again when the end was already recorded: the worker that recorded it may have stopped before its release.
    await releaseDevice(deps, ours.deviceId, ours.runId);
    // Only the worker that recorded the end queues the collections and reports it (overlapping looks may both see it end).
    if (!endedNow) {
      deps.logger.log('debug', 'machine action end seen again; already applied', {
        runId: ours.runId,
        deviceId: ours.deviceId,
        actionId: action.id,
      });
      return;
    }
    const completed = new Set(outcomes.filter((o) => o.commandStatus === 'Completed').map((o) => o.index));
    for (const index of saved?.collectIndexes ?? []) {
      if (completed.has(index)) await enqueueCollect(deps, ours, action.id, index);
    }
    deps.logger.log(action.status === 'Succeeded' ? 'info' : 'warn', 'machine action ended', {
      runId: ours.runId,
      deviceId: ours.deviceId,
      actionId: action.id,
      status: action.status,
      failed:
        outcomes
          .filter((o) => o.commandStatus === 'Failed')
          .map((o) => o.index)
          .join(',') || undefined,
    });
    return;
  }
  const record = (await deps.runs.getAction(ours.runId, ours.deviceId))?.value;
  if (record?.cancelledBy !== undefined && (record.state === 'submitting' || record.state === 'submitted')) {
    const attempt = await cancelOpenAction(deps, ours, action.id, cancelComment(record));
    // Refused: it has just ended on its own; the next look sees the end and collects its results.
    if (attempt.kind === 'refused')
      await deps.pacer.planPoll(ours.deviceId, action.id, nowMs + deps.config.polling.inProgressMs, action.status);
    return;
  }
  const deadlineMs = record?.deadlineMs ?? ours.submittedMs + deps.config.limits.offlineDeadlineMs;
  if (action.status === 'Pending' && nowMs >= deadlineMs) {
    await expire(deps, ours, action);
    return;
  }
  if (record && (record.actionStatus !== action.status || JSON.stringify(record.commandOutcomes) !== JSON.stringify(outcomes))) {
    await updateAction(deps.runs, ours.runId, ours.deviceId, (a) =>
      a.state === 'submitted' ? { ...a, actionStatus: action.status, commandOutcomes: outcomes, updatedMs: nowMs } : undefined,
    );
  }
  await deps.pacer.planPoll(
    ours.deviceId,
    action.id,
    Math.min(nextPollMs(action.status, ours.submittedMs, nowMs, deps.config.polling, ours.waited), Math.max(deadlineMs, nowMs + 1)),
    action.status,
  );
}

/** What asking Defender to cancel one of our open actions came to. */
export type CancelAttempt =
  /** Defender cancelled it (or answered with its end): recorded as ended, the device freed, completed results queued. */
  | { kind: 'ended'; status: ActionStatus }
  /** Refused as final already (or disallowed): the action's own end stands. */
  | { kind: 'refused'; error: string }
  /** Not now (the status budget spent, a 429, a passing fault, not listed yet): the device's next look is at `nextLookMs`. */
  | { kind: 'not-now'; nextLookMs: number; error: string };

/**
 * Asks Defender to cancel one of our open actions (paid from the status
 * budget) and applies its answer as any end is applied. Not now: the
 * device's next look is planned for when it may be asked again, and the
 * poll tick asks then (the record keeps the operator's request).
 */
export async function cancelOpenAction(
  deps: PollingDeps,
  ours: { runId: string; deviceId: string; submittedMs: number },
  actionId: string,
  comment: string,
): Promise<CancelAttempt> {
  let answered: MachineAction;
  try {
    answered = await deps.defender.cancelMachineAction(actionId, comment);
  } catch (error) {
    const retryable = error instanceof ThrottledError || error instanceof TransientError || error instanceof NotFoundError;
    if (!retryable && error instanceof PermanentError) return { kind: 'refused', error: describeError(error) };
    if (!retryable) throw error;
    const nextLookMs = deps.clock.nowMs() + (error instanceof ThrottledError ? error.retryAfterMs : deps.config.polling.inProgressMs);
    await deps.pacer.planPoll(ours.deviceId, actionId, nextLookMs, 'Cancelling');
    return { kind: 'not-now', nextLookMs, error: describeError(error) };
  }
  if (!isTerminal(answered.status)) {
    const nextLookMs = deps.clock.nowMs() + deps.config.polling.inProgressMs;
    await deps.pacer.planPoll(ours.deviceId, actionId, nextLookMs, answered.status);
    return { kind: 'not-now', nextLookMs, error: `Defender answered the cancel with ${answered.status}` };
  }
  await applyActionStatus(deps, ours, answered);
  return { kind: 'ended', status: answered.status };
}

/** The Comment Defender records with the cancel: who asked and why. */
export function cancelComment(record: Pick<DeviceAction, 'cancelledBy' | 'cancelReason'>): string {
  return `mde-responder: ${cancelNote(record)}`;
}

async function expire(deps: PollingDeps, ours: { runId: string; deviceId: string }, action: MachineAction): Promise<void> {
  let status: ActionStatus = action.status;
  try {
    status = (await deps.defender.cancelMachineAction(action.id, 'mde-responder: the device stayed offline past the deadline')).status;
  } catch (error) {
    // Already final, or gone: either way nothing is left running for us.
    if (!(error instanceof PermanentError)) throw error;
  }
  const nowMs = deps.clock.nowMs();
  // Ended by a tick that saw it first: that end stands.
  await updateAction(deps.runs, ours.runId, ours.deviceId, (a) =>
    a.state === 'ended' ? undefined : markEnded(a, { actionStatus: status, lastError: EXPIRED_NOTE }, nowMs),
  );
  await releaseDevice(deps, ours.deviceId, ours.runId);
  deps.logger.log('warn', 'action expired while the device was offline; cancelled', {
    runId: ours.runId,
    deviceId: ours.deviceId,
    actionId: action.id,
    status,
  });
}

function toOutcomes(action: MachineAction): CommandOutcome[] {
  return action.commands.map((c) => ({
    index: c.index,
    type: c.command.type,
    commandStatus: c.commandStatus,
    errors: c.errors.map((e) => (typeof e === 'string' ? e : JSON.stringify(e))),
    startTime: c.startTime ?? null,
    endTime: c.endTime ?? null,
  }));
}
