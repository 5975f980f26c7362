import type { DeliveryInfo } from '../bus/port.js';
import { parseOrDeadLetter } from '../bus/parseOrDeadLetter.js';
import { actionMessageSchema } from '../bus/messages.js';
import type { MachineAction } from '../defender/types.js';
import { DeviceBusyError, PermanentError, ThrottledError, describeError } from '../errors.js';
import { correlationToken } from '../runs/ids.js';
import type { DeviceAction } from '../runs/model.js';
import { updateAction } from '../runs/updateAction.js';
import type { Deps } from './deps.js';
import { arrivalForSlot } from '../pacing/sendSlots.js';
import { enqueueSubmit } from './queueing.js';
import { ensurePollTick } from './pollTick.js';

export type SubmitOutcome = 'submitted' | 'adopted' | 'deferred' | 'rejected' | 'duplicate' | 'dead-lettered';

/** How far back to look for an action a lost POST may have created. */
const ADOPTION_LOOKBACK_MS = 15 * 60_000;
/** An admission whose run record is still 'queued' this long after was abandoned (its delivery died before marking it). */
const ADMISSION_STALE_MS = 2 * 60_000;
/** How long after an unknown outcome the action list is trusted to show our action if it exists. */
const VISIBILITY_WAIT_MS = 2 * 60_000;

/**
 * Submits one device's commands when the pacer admits it; otherwise the
 * message is rescheduled for when it may succeed. Throttling and busy devices
 * are waits, not failures. If an earlier POST's outcome is unknown (crash,
 * timeout, 5xx), the device's recent actions are searched for our correlation
 * token first, so a redelivered message never creates a second action.
 */
export async function handleActionMessage(deps: Deps, body: unknown, delivery: DeliveryInfo): Promise<SubmitOutcome> {
  const parsed = await parseOrDeadLetter(deps.bus, 'actions', actionMessageSchema, body, delivery);
  if (!parsed.ok) return 'dead-lettered';
  const { runId, deviceId } = parsed.value;
  const log = deps.logger.child({ runId, deviceId });
  const current = await deps.runs.getAction(runId, deviceId);
  if (!current || !['queued', 'submitting'].includes(current.value.state)) return 'duplicate';

  if (current.value.state === 'submitting') {
    // An earlier POST's outcome is unknown: look for the action it may have created before sending another.
    const existing = await findOurAction(deps, current.value);
    if (existing) {
      await recordSubmitted(deps, current.value, existing);
      log.log('info', 'adopted the action an earlier attempt created', { actionId: existing.id });
      return 'adopted';
    }
    const sinceMs = deps.clock.nowMs() - current.value.updatedMs;
    if (sinceMs < VISIBILITY_WAIT_MS) {
      // A just-created action may not be listed yet: look again before trusting its absence.
      await enqueueSubmit(deps, current.value, deps.clock.nowMs() + VISIBILITY_WAIT_MS - sinceMs, 'verify');
      return 'deferred';
    }
    await deps.pacer.release(deviceId, runId);
  }

  let slot = await deps.pacer.requestSlot({ deviceId, runId });
  if (slot.kind === 'already-open') {
    // Admitted by another delivery. Still queued long after (the record is marked right after admission):
    // that delivery died before marking it, so nothing was sent; free the hold and ask again.
    if (slot.actionId !== undefined) return 'duplicate';
    if (deps.clock.nowMs() - slot.admittedMs < ADMISSION_STALE_MS) {
      await enqueueSubmit(deps, current.value, slot.admittedMs + ADMISSION_STALE_MS, 'check-admission');
      return 'deferred';
    }
    log.log('warn', 'an admission was never acted on; asking for a slot again', { admittedMs: slot.admittedMs });
    await deps.pacer.release(deviceId, runId);
    slot = await deps.pacer.requestSlot({ deviceId, runId });
    if (slot.kind === 'already-open') return 'duplicate';
  }
  if (slot.kind !== 'admit') {
    // Waiting happens in the queue: the message comes back (the send lead early) for its reserved slot, or to ask again.
    const nowMs = deps.clock.nowMs();
    const atMs = slot.kind === 'reserved' ? arrivalForSlot(slot.slotMs, nowMs, deps.pacer.limits) : nowMs + slot.waitMs;
    await enqueueSubmit(deps, current.value, atMs, slot.kind === 'reserved' ? 'slot' : slot.reason);
    log.log('debug', 'submission scheduled', { reason: slot.kind === 'reserved' ? 'slot' : slot.reason, waitMs: atMs - nowMs });
    return 'deferred';
  }
  const marked: DeviceAction = {
    ...current.value,
    state: 'submitting',
    submitAttempts: current.value.submitAttempts + 1,
    updatedMs: deps.clock.nowMs(),
  };
  // Another delivery changed the record first: it owns this step (the hold is per run and device, so it stays).
  if ((await deps.runs.replaceAction(marked, current.etag)) === 'conflict') return 'duplicate';
  // Admitted for a slot a moment ahead (at most the send lead): the bookkeeping is done, call on the slot.
  await deps.waitUntil(slot.atMs);

  // A 429 seen by another worker since our slot was granted: give the slot back rather than call into it.
  const penaltyUntilMs = await deps.pacer.penaltyUntil();
  if (penaltyUntilMs > deps.clock.nowMs()) {
    await deps.pacer.release(deviceId, runId);
    const requeued = await updateAction(deps.runs, runId, deviceId, (a) => ({ ...a, state: 'queued', updatedMs: deps.clock.nowMs() }));
    if (requeued) await enqueueSubmit(deps, requeued, penaltyUntilMs, 'penalty');
    return 'deferred';
  }
  let created: MachineAction;
  try {
    created = await deps.defender.runLiveResponse(deviceId, { Commands: marked.commands, Comment: marked.comment });
  } catch (error) {
    // A refused call leaves the ledger (and teaches it a ceiling); any other is recorded at its answer time.
    if (!(error instanceof ThrottledError)) await deps.pacer.callAnswered(slot.atMs);
    return handleSubmitError(deps, marked, error, slot.atMs);
  }
  await recordSubmitted(deps, marked, created, slot.atMs);
  log.log('info', 'live response action submitted', { actionId: created.id, status: created.status });
  return 'submitted';
}

async function handleSubmitError(deps: Deps, action: DeviceAction, error: unknown, admittedMs: number): Promise<SubmitOutcome> {
  const { runId, deviceId } = action;
  const log = deps.logger.child({ runId, deviceId });
  if (error instanceof ThrottledError || error instanceof DeviceBusyError) {
    let waitMs: number;
    if (error instanceof ThrottledError) {
      // Retry-After holds every worker back, not just this message; the ledger learns what the tenant accepted.
      waitMs = error.retryAfterMs;
      await deps.pacer.callRefused(admittedMs, waitMs);
      await deps.pacer.release(deviceId, runId);
    } else {
      // Someone else's session (e.g. the portal): back this device off, exponentially.
      waitMs = await deps.pacer.deviceBusy(deviceId, runId);
    }
    const requeued = await updateAction(deps.runs, runId, deviceId, (a) => ({
      ...a,
      state: 'queued',
      lastError: describeError(error),
      updatedMs: deps.clock.nowMs(),
    }));
    if (requeued)
      await enqueueSubmit(deps, requeued, deps.clock.nowMs() + waitMs, error instanceof ThrottledError ? 'throttled' : 'device-busy');
    log.log('warn', error instanceof ThrottledError ? 'throttled by Defender; rescheduled' : 'device busy; rescheduled', { waitMs });
    return 'deferred';
  }
  if (error instanceof PermanentError) {
    await deps.pacer.release(deviceId, runId);
    await updateAction(deps.runs, runId, deviceId, (a) => ({
      ...a,
      state: 'rejected',
      lastError: describeError(error),
      updatedMs: deps.clock.nowMs(),
    }));
    log.log('error', 'Defender refused the submission', { error: describeError(error) });
    return 'rejected';
  }
  // Outcome unknown: stay 'submitting' and let the queue redeliver; the retry looks for the action first.
  log.log('warn', 'submission outcome unknown; will retry after checking for an existing action', { error: describeError(error) });
  throw error;
}

async function findOurAction(deps: Deps, action: DeviceAction): Promise<MachineAction | undefined> {
  const token = correlationToken(action.runId, action.deviceId);
  const recent = await deps.defender.listMachineActions({
    machineId: action.deviceId,
    type: 'LiveResponse',
    createdAfterMs: action.updatedMs - ADOPTION_LOOKBACK_MS,
  });
  return recent.find((a) => (a.requestorComment ?? '').includes(token));
}

/**
 * The pacing hold (which the poll tick follows) is recorded before the run
 * record: if anything fails in between, the action is still 'submitting', and
 * the retry finds it by its correlation token and records both again.
 */
async function recordSubmitted(deps: Deps, action: DeviceAction, created: MachineAction, calledAtSlotMs?: number): Promise<void> {
  const nowMs = deps.clock.nowMs();
  const firstPollMs = nowMs + deps.config.polling.firstDelayMs;
  await deps.pacer.recordSubmitted(action.deviceId, action.runId, created.id, firstPollMs, calledAtSlotMs);
  await ensurePollTick(deps, firstPollMs);
  await updateAction(deps.runs, action.runId, action.deviceId, (a) =>
    a.state === 'submitted' || a.state === 'ended'
      ? undefined
      : {
          ...a,
          state: 'submitted',
          machineActionId: created.id,
          actionStatus: created.status,
          submittedMs: nowMs,
          updatedMs: nowMs,
          lastError: undefined,
        },
  );
}
