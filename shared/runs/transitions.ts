import type { ActionStatus, MachineAction } from '../defender/types.js';
import { InvalidTransitionError } from '../errors.js';
import type { CommandOutcome, DeviceAction, DeviceActionState } from './model.js';

/**
 * The device action's state machine: every state change goes through one of
 * the functions below, which return the new record or throw an
 * InvalidTransitionError naming both states.
 *
 *   queued -> submitting -> submitted -> ended
 *     ^  \       |  |  \________________^
 *     '---\------'  '-> rejected
 *          \     |
 *           '----'--> cancelled (never sent)
 *
 * submitting -> submitting: a new attempt after an unknown outcome created nothing.
 * queued -> submitted: the action an earlier attempt created is adopted after the record was requeued.
 * submitting -> ended: the poll tick saw the action end before the submission was recorded.
 * queued/submitting -> cancelled: an operator cancelled it and nothing was (or will be) sent.
 */
export const ALLOWED_TRANSITIONS: Readonly<Record<DeviceActionState, readonly DeviceActionState[]>> = {
  queued: ['submitting', 'submitted', 'cancelled'],
  submitting: ['submitting', 'submitted', 'queued', 'rejected', 'ended', 'cancelled'],
  submitted: ['ended'],
  ended: [],
  rejected: [],
  cancelled: [],
};

/** The `lastError` of an action cancelled because its device stayed offline past the deadline (recorded `ended`). */
export const EXPIRED_NOTE = 'expired: the device stayed offline past the deadline; the action was cancelled';

/** States nothing moves out of. */
export const FINAL_STATES: readonly DeviceActionState[] = (Object.keys(ALLOWED_TRANSITIONS) as DeviceActionState[]).filter(
  (s) => ALLOWED_TRANSITIONS[s].length === 0,
);

export function canMove(from: DeviceActionState, to: DeviceActionState): boolean {
  return ALLOWED_TRANSITIONS[from].includes(to);
}

/** Admitted: the POST is about to be sent (its outcome is unknown until recorded). */
export function markSubmitting(action: DeviceAction, nowMs: number): DeviceAction {
  return move(action, 'submitting', { submitAttempts: action.submitAttempts + 1, updatedMs: nowMs });
}

/** Defender accepted it (or an earlier attempt's action was found): polled from now on. */
export function markSubmitted(action: DeviceAction, created: Pick<MachineAction, 'id' | 'status'>, nowMs: number): DeviceAction {
  return move(action, 'submitted', {
    machineActionId: created.id,
    actionStatus: created.status,
    submittedMs: nowMs,
    updatedMs: nowMs,
    lastError: undefined,
  });
}

/** Back to waiting for admission (throttled, device busy, a penalty); `lastError` kept unless given. */
export function requeue(action: DeviceAction, nowMs: number, lastError?: string): DeviceAction {
  return move(action, 'queued', lastError === undefined ? { updatedMs: nowMs } : { updatedMs: nowMs, lastError });
}

/** Defender refused it permanently. */
export function markRejected(action: DeviceAction, lastError: string, nowMs: number): DeviceAction {
  return move(action, 'rejected', { lastError, updatedMs: nowMs });
}

/** Defender reports a terminal status (or the action was cancelled past its deadline). */
export function markEnded(
  action: DeviceAction,
  end: {
    actionStatus: ActionStatus;
    commandOutcomes?: CommandOutcome[];
    lastError?: string;
    /**
     * The machine action that ended, as the poll tick knows it from its hold.
     * Kept when the record has none yet: the tick can see an action end before
     * its submitter has written the id into the record (the hold is written
     * first), and without the id its results could never be collected.
     */
    machineActionId?: string;
  },
  nowMs: number,
): DeviceAction {
  const { machineActionId, ...rest } = end;
  const cancelledAsAsked = end.actionStatus === 'Cancelled' && end.lastError === undefined && action.cancelledBy !== undefined;
  return move(action, 'ended', {
    ...rest,
    ...(cancelledAsAsked ? { lastError: cancelNote(action) } : {}),
    endedMs: nowMs,
    updatedMs: nowMs,
    ...(action.machineActionId === undefined && machineActionId !== undefined ? { machineActionId } : {}),
  });
}

/**
 * An operator asks to cancel the action (no state change): who and why are
 * recorded once, and whatever records the action next acts on it (the
 * submitter, the poll tick). Undefined when it has ended or was asked already.
 */
export function requestCancel(action: DeviceAction, request: { by: string; reason: string }, nowMs: number): DeviceAction | undefined {
  if (FINAL_STATES.includes(action.state) || action.cancelledBy !== undefined) return undefined;
  return {
    ...action,
    cancelledBy: request.by.slice(0, 500),
    cancelReason: request.reason.slice(0, 500),
    cancelRequestedMs: nowMs,
    updatedMs: nowMs,
  };
}

/** Cancelled before it was sent (queued, or submitting with nothing created): it is never sent afterwards. */
export function markCancelled(action: DeviceAction, nowMs: number): DeviceAction {
  return move(action, 'cancelled', { lastError: cancelNote(action), endedMs: nowMs, updatedMs: nowMs });
}

/** "cancelled by <who>: <why>", from the operator's request on the record. */
export function cancelNote(action: Pick<DeviceAction, 'cancelledBy' | 'cancelReason'>): string {
  return `cancelled by ${action.cancelledBy ?? 'an operator'}: ${action.cancelReason ?? ''}`;
}

function move(action: DeviceAction, to: DeviceActionState, changes: Partial<DeviceAction>): DeviceAction {
  if (!canMove(action.state, to)) throw new InvalidTransitionError(`device action ${action.runId}/${action.deviceId}`, action.state, to);
  return { ...action, ...changes, state: to };
}

/**
 * Records that the result of command `commandIndex` can never be collected,
 * with the reason, on an ended action (once per command); undefined when
 * there is nothing to change.
 */
export function recordEvidenceFailure(
  action: DeviceAction,
  failure: { commandIndex: number; reason: string },
  nowMs: number,
): DeviceAction | undefined {
  if (action.state !== 'ended') return undefined;
  const failures = action.evidenceFailures ?? [];
  if (failures.some((f) => f.commandIndex === failure.commandIndex)) return undefined;
  const entry = { commandIndex: failure.commandIndex, reason: failure.reason.slice(0, 2_000), atMs: nowMs };
  return { ...action, evidenceFailures: [...failures, entry], updatedMs: nowMs };
}

/**
 * The reconciliation sweep re-drove the action (sent its step's message
 * again) after no progress: counted, with why and when (`redrivenMs`, so the
 * next sweep waits another stale period). Neither the state nor `updatedMs`
 * changes: the submitter reads `updatedMs` as the time of its last attempt
 * (where to look for the action a lost POST created, how long list lag may
 * still hide it), and a re-drive is no attempt.
 */
export function markRedriven(action: DeviceAction, why: string, nowMs: number): DeviceAction {
  return {
    ...action,
    redrives: redrivesInState(action) + 1,
    redriveState: action.state,
    redrivenMs: nowMs,
    lastError: why.slice(0, 2_000),
  };
}

/** Re-drives of the action in the state it is in now (a re-drive that moved it on does not count against the next step). */
export function redrivesInState(action: DeviceAction): number {
  return action.redriveState === undefined || action.redriveState === action.state ? (action.redrives ?? 0) : 0;
}
