import type { DeliveryInfo } from '../bus/port.js';
import { pollMessageSchema, type PollMessage } from '../bus/messages.js';
import { isTerminal, type MachineAction } from '../defender/types.js';
import { NotFoundError, PermanentError, ThrottledError } from '../errors.js';
import type { CommandOutcome, DeviceAction } from '../runs/model.js';
import { updateAction } from '../runs/updateAction.js';
import { describeIssues, toIssues } from '../validation.js';
import type { Deps } from './deps.js';
import { enqueueCollect, enqueuePoll } from './queueing.js';

export type PollOutcome = 'waiting' | 'ended' | 'expired' | 'duplicate' | 'dead-lettered';

/**
 * Follows one machine action to its end. Not ended: poll again later (soon
 * while InProgress, rarely while Pending on an offline device). Pending past
 * the offline deadline: cancel it so nothing is left blocking the device.
 * Ended: free the device's session and queue one collection per finished
 * RunScript/GetFile command.
 */
export async function handlePollMessage(deps: Deps, body: unknown, delivery: DeliveryInfo): Promise<PollOutcome> {
  const parsed = pollMessageSchema.safeParse(body);
  if (!parsed.success) {
    await deps.bus.deadLetter('polls', body, { reason: 'MalformedMessage', description: describeIssues(toIssues(parsed.error)), originalMessageId: delivery.messageId });
    return 'dead-lettered';
  }
  const message = parsed.data;
  const current = (await deps.runs.getAction(message.runId, message.deviceId))?.value;
  if (!current || current.state !== 'submitted' || current.machineActionId !== message.machineActionId || current.pollSeq !== message.pollSeq) {
    return 'duplicate';
  }
  let machineAction: MachineAction;
  try {
    machineAction = await deps.defender.getMachineAction(message.machineActionId);
  } catch (error) {
    // Throttled, or not yet visible right after creation: ask again later.
    if (error instanceof ThrottledError || error instanceof NotFoundError) {
      const waitMs = error instanceof ThrottledError ? error.retryAfterMs : deps.config.polling.inProgressMs;
      await schedulePoll(deps, current, message, waitMs, undefined);
      return 'waiting';
    }
    throw error;
  }
  const nowMs = deps.clock.nowMs();
  const outcomes = toOutcomes(machineAction);
  if (isTerminal(machineAction.status)) {
    await finish(deps, current, machineAction, outcomes);
    return 'ended';
  }
  const pendingSinceMs = current.submittedMs ?? current.createdMs;
  if (machineAction.status === 'Pending' && nowMs - pendingSinceMs >= deps.config.limits.offlineDeadlineMs) {
    await expire(deps, current, machineAction);
    return 'expired';
  }
  const waitMs = machineAction.status === 'InProgress' ? deps.config.polling.inProgressMs : deps.config.polling.pendingMs;
  await schedulePoll(deps, current, message, waitMs, { actionStatus: machineAction.status, commandOutcomes: outcomes });
  return 'waiting';
}

async function schedulePoll(
  deps: Deps,
  action: DeviceAction,
  message: PollMessage,
  waitMs: number,
  changes: Partial<DeviceAction> | undefined,
): Promise<void> {
  const pollSeq = message.pollSeq + 1;
  await enqueuePoll(deps, action, message.machineActionId, pollSeq, deps.clock.nowMs() + waitMs);
  await updateAction(deps.runs, action.runId, action.deviceId, (a) =>
    a.pollSeq !== message.pollSeq ? undefined : { ...a, ...changes, pollSeq, updatedMs: deps.clock.nowMs() },
  );
}

async function finish(deps: Deps, action: DeviceAction, machineAction: MachineAction, outcomes: CommandOutcome[]): Promise<void> {
  const nowMs = deps.clock.nowMs();
  const saved = await updateAction(deps.runs, action.runId, action.deviceId, (a) =>
    a.state !== 'submitted' ? undefined : { ...a, state: 'ended', actionStatus: machineAction.status, commandOutcomes: outcomes, endedMs: nowMs, updatedMs: nowMs },
  );
  await deps.pacer.release(action.deviceId, action.runId);
  const completed = new Set(outcomes.filter((o) => o.commandStatus === 'Completed').map((o) => o.index));
  for (const index of (saved ?? action).collectIndexes) {
    if (completed.has(index)) await enqueueCollect(deps, action, machineAction.id, index);
  }
  deps.logger.log(machineAction.status === 'Succeeded' ? 'info' : 'warn', 'machine action ended', {
    runId: action.runId, deviceId: action.deviceId, actionId: machineAction.id, status: machineAction.status,
    failed: outcomes.filter((o) => o.commandStatus === 'Failed').map((o) => o.index).join(',') || undefined,
  });
}

async function expire(deps: Deps, action: DeviceAction, machineAction: MachineAction): Promise<void> {
  let status = machineAction.status;
  try {
    status = (await deps.defender.cancelMachineAction(machineAction.id, `mde-responder: device offline beyond the ${Math.round(deps.config.limits.offlineDeadlineMs / 3_600_000)} h deadline`)).status;
  } catch (error) {
    if (!(error instanceof PermanentError)) throw error;
  }
  const nowMs = deps.clock.nowMs();
  await updateAction(deps.runs, action.runId, action.deviceId, (a) => ({
    ...a, state: 'ended', actionStatus: status, endedMs: nowMs, updatedMs: nowMs,
    lastError: 'expired: the device stayed offline past the deadline; the action was cancelled',
  }));
  await deps.pacer.release(action.deviceId, action.runId);
  deps.logger.log('warn', 'action expired while the device was offline; cancelled', { runId: action.runId, deviceId: action.deviceId, actionId: machineAction.id, status });
}

function toOutcomes(machineAction: MachineAction): CommandOutcome[] {
  return machineAction.commands.map((c) => ({
    index: c.index,
    type: c.command.type,
    commandStatus: c.commandStatus,
    errors: c.errors.map((e) => (typeof e === 'string' ? e : JSON.stringify(e))),
    startTime: c.startTime ?? null,
    endTime: c.endTime ?? null,
  }));
}
