import { isTerminal, type ActionStatus, type MachineAction } from '../../defender/types.js';
import { PermanentError } from '../../errors.js';
import type { CommandOutcome } from '../../runs/model.js';
import { markEnded } from '../../runs/transitions.js';
import { updateAction } from '../../runs/updateAction.js';
import type { PollingDeps } from './deps.js';
import { enqueueCollect } from '../evidence/queueing.js';

/** When to look at an action again, from what it showed now. Pure. */
export function nextPollMs(status: ActionStatus, submittedMs: number, nowMs: number, polling: PollingDeps['config']['polling']): number {
  if (status === 'InProgress') return nowMs + polling.inProgressMs;
  // Just submitted: an online device picks it up within moments. Pending for longer: likely offline, look rarely.
  const pendingForMs = nowMs - submittedMs;
  return nowMs + (pendingForMs < 2 * polling.inProgressMs ? polling.inProgressMs : polling.pendingMs);
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
  ours: { runId: string; deviceId: string; submittedMs: number },
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
    await deps.pacer.release(ours.deviceId, ours.runId);
    // Only the worker that recorded the end queues the collections (two overlapping ticks may both see it end).
    const completed = new Set(outcomes.filter((o) => o.commandStatus === 'Completed').map((o) => o.index));
    for (const index of endedNow ? (saved?.collectIndexes ?? []) : []) {
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
    Math.min(nextPollMs(action.status, ours.submittedMs, nowMs, deps.config.polling), Math.max(deadlineMs, nowMs + 1)),
    action.status,
  );
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
    a.state === 'ended'
      ? undefined
      : markEnded(
          a,
          { actionStatus: status, lastError: 'expired: the device stayed offline past the deadline; the action was cancelled' },
          nowMs,
        ),
  );
  await deps.pacer.release(ours.deviceId, ours.runId);
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
