import type { DeliveryInfo } from '../../bus/port.js';
import { parseOrDeadLetter } from '../../bus/parseOrDeadLetter.js';
import { actionMessageSchema } from '../../bus/messages.js';
import type { MachineAction } from '../../defender/types.js';
import { DeviceBusyError, ThrottledError, TransientError, describeError } from '../../errors.js';
import { correlationToken } from '../../runs/ids.js';
import type { DeviceAction } from '../../runs/model.js';
import { markSubmitted, markSubmitting, requeue } from '../../runs/transitions.js';
import { updateAction } from '../../runs/updateAction.js';
import type { SubmissionDeps } from './deps.js';
import { arrivalForSlot, type SlotDecision } from '../../pacing/sendSlots.js';
import type { Logger } from '../../log.js';
import { enqueueSubmit } from './queueing.js';
import { failedCallOutcome, handleSubmitError } from './submitErrors.js';
import { ensurePollTick } from '../polling/pollTick.js';
import { cancelIfRequested, settleIfCancelled } from './cancelRequests.js';
import { releaseDevice } from './handOver.js';

export type SubmitOutcome = 'submitted' | 'adopted' | 'deferred' | 'rejected' | 'duplicate' | 'dead-lettered' | 'cancelled';

/** How far back to look for an action a lost POST may have created. */
const ADOPTION_LOOKBACK_MS = 15 * 60_000;
/** An admission whose run record is still 'queued' this long after was abandoned (its delivery died before marking it). */
const ADMISSION_STALE_MS = 2 * 60_000;
/** After a look-up for our action failed on a passing fault, look again this much later. */
const VERIFY_RETRY_MS = 30_000;

/**
 * Submits one device's commands when the pacer admits it; otherwise the
 * message is rescheduled for when it may succeed. Throttling and busy devices
 * are waits, not failures. If an earlier POST's outcome is unknown (crash,
 * timeout, 5xx), the device's recent actions are searched for our correlation
 * token first, so a redelivered message never creates a second action.
 * An action an operator cancelled is never sent; one it created before the
 * cancel was recorded is cancelled at Defender as soon as it is recorded.
 */
export async function handleActionMessage(deps: SubmissionDeps, body: unknown, delivery: DeliveryInfo): Promise<SubmitOutcome> {
  const parsed = await parseOrDeadLetter(deps.bus, 'actions', actionMessageSchema, body, delivery);
  if (!parsed.ok) return 'dead-lettered';
  const current = await deps.runs.getAction(parsed.value.runId, parsed.value.deviceId);
  if (!current || !['queued', 'submitting'].includes(current.value.state)) return 'duplicate';
  if (current.value.state === 'submitting') {
    const resumed = await resumeUnknownOutcome(deps, current.value);
    if (resumed) return resumed;
  }
  if (current.value.cancelledBy !== undefined && (await settleIfCancelled(deps, current.value))) return 'cancelled';
  const admission = await admit(deps, current.value);
  if (admission.kind === 'not-now') return admission.outcome;
  const marked = markSubmitting(current.value, deps.clock.nowMs());
  if ((await deps.runs.replaceAction(marked, current.etag)) === 'conflict') {
    // Cancelled meanwhile: nothing is sent, and the admission just taken is given back.
    if (await settleIfCancelled(deps, current.value)) return 'cancelled';
    // Another delivery changed the record first: it owns this step (the hold is per run and device, so it stays).
    return 'duplicate';
  }
  return callDefender(deps, marked, admission.atMs);
}

/**
 * An earlier POST's outcome is unknown: look for the action it may have
 * created before sending another. Undefined: nothing was created, the hold is
 * released and a new attempt may ask for a slot.
 */
async function resumeUnknownOutcome(deps: SubmissionDeps, action: DeviceAction): Promise<SubmitOutcome | undefined> {
  let existing: MachineAction | undefined;
  try {
    existing = await findOurAction(deps, action);
  } catch (error) {
    // Throttled (the status budget spent, a 429) or a passing fault is an expected condition, not a failed
    // delivery: look again later, keeping the hold; the action stays 'submitting' until we know.
    if (!(error instanceof ThrottledError || error instanceof TransientError)) throw error;
    const waitMs = error instanceof ThrottledError ? error.retryAfterMs : VERIFY_RETRY_MS;
    await enqueueSubmit(deps, action, deps.clock.nowMs() + waitMs, 'verify');
    logFor(deps, action).log('warn', 'could not look for the action an earlier attempt may have created; looking again later', {
      waitMs,
      error: describeError(error),
    });
    return 'deferred';
  }
  if (existing) {
    await recordSubmitted(deps, action, existing);
    logFor(deps, action).log('info', 'adopted the action an earlier attempt created', { actionId: existing.id });
    return 'adopted';
  }
  // A just-created action may not be listed yet (list lag): look again until the bound has passed before trusting its absence.
  const sinceMs = deps.clock.nowMs() - action.updatedMs;
  const boundMs = deps.config.defender.listLagBoundMs;
  if (sinceMs < boundMs) {
    await enqueueSubmit(deps, action, deps.clock.nowMs() + boundMs - sinceMs, 'verify');
    return 'deferred';
  }
  await deps.pacer.releaseAdmission(action.deviceId, action.runId);
  return undefined;
}

type Admission = { kind: 'admitted'; atMs: number } | { kind: 'not-now'; outcome: SubmitOutcome };

/** Asks the pacer for a slot; anything but an admission is rescheduled (or left to the delivery that holds it). */
async function admit(deps: SubmissionDeps, action: DeviceAction): Promise<Admission> {
  const request = { deviceId: action.deviceId, runId: action.runId };
  let slot = await deps.pacer.requestSlot(request);
  if (slot.kind === 'already-open') {
    const outcome = await checkOpenAdmission(deps, action, slot);
    if (outcome) return { kind: 'not-now', outcome };
    slot = await deps.pacer.requestSlot(request);
    if (slot.kind === 'already-open') return { kind: 'not-now', outcome: 'duplicate' };
  }
  if (slot.kind === 'admit') return { kind: 'admitted', atMs: slot.atMs };
  await scheduleRetry(deps, action, slot);
  return { kind: 'not-now', outcome: 'deferred' };
}

/**
 * Admitted by another delivery. Still queued long after (the record is marked
 * right after admission): that delivery died before marking it, so nothing
 * was sent; the hold is freed (undefined: ask again).
 */
async function checkOpenAdmission(
  deps: SubmissionDeps,
  action: DeviceAction,
  slot: Extract<SlotDecision, { kind: 'already-open' }>,
): Promise<SubmitOutcome | undefined> {
  if (slot.actionId !== undefined) return 'duplicate';
  if (deps.clock.nowMs() - slot.admittedMs < ADMISSION_STALE_MS) {
    await enqueueSubmit(deps, action, slot.admittedMs + ADMISSION_STALE_MS, 'check-admission');
    return 'deferred';
  }
  logFor(deps, action).log('warn', 'an admission was never acted on; asking for a slot again', { admittedMs: slot.admittedMs });
  await deps.pacer.releaseAdmission(action.deviceId, action.runId);
  return undefined;
}

/**
 * Waiting happens in the queue: the message comes back (the send lead early)
 * for its reserved slot, or to ask again. A run in a device's line is woken
 * by the hand-over when the device is released (handOver.ts); the message
 * scheduled here is its fallback.
 */
async function scheduleRetry(
  deps: SubmissionDeps,
  action: DeviceAction,
  slot: Extract<SlotDecision, { kind: 'reserved' | 'queued' | 'wait' }>,
): Promise<void> {
  const nowMs = deps.clock.nowMs();
  const reason = slot.kind === 'reserved' ? 'slot' : slot.kind === 'queued' ? 'device-queue' : slot.reason;
  const atMs = slot.kind === 'reserved' ? arrivalForSlot(slot.slotMs, nowMs, deps.pacer.limits) : nowMs + slot.waitMs;
  await enqueueSubmit(deps, action, atMs, reason);
  logFor(deps, action).log('debug', 'submission scheduled', { reason, waitMs: atMs - nowMs });
}

/** Calls Defender on the admitted slot (the record already says 'submitting') and records its answer. */
async function callDefender(deps: SubmissionDeps, marked: DeviceAction, slotAtMs: number): Promise<SubmitOutcome> {
  const { runId, deviceId } = marked;
  // Admitted for a slot a moment ahead (at most the send lead): the bookkeeping is done, call on the slot.
  await deps.waitUntil(slotAtMs);
  // A 429 seen by another worker since our slot was granted: give the slot back rather than call into it.
  const penaltyUntilMs = await deps.pacer.penaltyUntil();
  if (penaltyUntilMs > deps.clock.nowMs()) {
    // Back at the penalty's end, first in the device's line: nobody waiting overtakes it meanwhile.
    await deps.pacer.release(deviceId, runId, penaltyUntilMs);
    const requeued = await updateAction(deps.runs, runId, deviceId, (a) => requeue(a, deps.clock.nowMs()));
    if (requeued) await enqueueSubmit(deps, requeued, penaltyUntilMs, 'penalty');
    return 'deferred';
  }
  let created: MachineAction;
  deps.metrics?.record('pacingLag', Math.max(0, deps.clock.nowMs() - slotAtMs), {});
  try {
    created = await deps.defender.runLiveResponse(deviceId, { Commands: marked.commands, Comment: marked.comment });
    deps.metrics?.add('liveResponseCalls', 1, { outcome: 'accepted' });
  } catch (error) {
    deps.metrics?.add('liveResponseCalls', 1, { outcome: failedCallOutcome(error) });
    // A refused call leaves the ledger (and teaches it a ceiling); any other is recorded at its answer time.
    if (!(error instanceof ThrottledError)) await deps.pacer.callAnswered(slotAtMs);
    if (error instanceof DeviceBusyError) {
      // The device's open action may be our own (an earlier POST whose answer was lost, listed only now):
      // check our correlation token before treating it as someone else's session.
      const ours = await findOurAction(deps, marked).catch((lookUpError: unknown) => {
        // Could not look now: treat the device as busy, as before; its backoff brings the message back.
        if (lookUpError instanceof ThrottledError || lookUpError instanceof TransientError) return undefined;
        throw lookUpError;
      });
      if (ours) {
        await recordSubmitted(deps, marked, ours, slotAtMs);
        logFor(deps, marked).log('info', 'the device was busy with our own action; adopted it', { actionId: ours.id });
        return 'adopted';
      }
    }
    return handleSubmitError(deps, marked, error, slotAtMs);
  }
  await recordSubmitted(deps, marked, created, slotAtMs);
  logFor(deps, marked).log('info', 'live response action submitted', { actionId: created.id, status: created.status });
  return 'submitted';
}

/**
 * Our action among the device's recent ones, by the correlation token the
 * responder wrote into its `requestorComment`. Never by `requestor`: Defender
 * writes the app's display name there, not its id (the simulator does too
 * under `valueFormats: defender`), and another app may share a display name.
 */
async function findOurAction(deps: SubmissionDeps, action: DeviceAction): Promise<MachineAction | undefined> {
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
 *
 * An answer can come late: this delivery outlived its message lock, another
 * delivery adopted the action meanwhile and a tick has already applied its
 * end (freeing the session, perhaps handing the device on). Then no hold is
 * taken again; and when the end is applied while the hold is being written,
 * the session is given back once the run record shows it.
 */
async function recordSubmitted(deps: SubmissionDeps, action: DeviceAction, created: MachineAction, calledAtSlotMs?: number): Promise<void> {
  if ((await deps.runs.getAction(action.runId, action.deviceId))?.value.state === 'ended') {
    if (calledAtSlotMs !== undefined) await deps.pacer.callAnswered(calledAtSlotMs);
    logFor(deps, action).log('info', 'the action had already ended when its answer came; nothing recorded', { actionId: created.id });
    return;
  }
  const nowMs = deps.clock.nowMs();
  const firstPollMs = nowMs + deps.config.polling.firstDelayMs;
  await deps.pacer.recordSubmitted(action.deviceId, action.runId, created.id, firstPollMs, calledAtSlotMs);
  await ensurePollTick(deps, firstPollMs);
  let ended = false;
  const saved = await updateAction(deps.runs, action.runId, action.deviceId, (a) => {
    ended = a.state === 'ended';
    return a.state === 'submitted' || ended ? undefined : markSubmitted(a, created, nowMs);
  });
  if (ended) {
    await releaseDevice(deps, action.deviceId, action.runId);
    return;
  }
  await cancelIfRequested(deps, saved, created.id);
}

function logFor(deps: SubmissionDeps, action: Pick<DeviceAction, 'runId' | 'deviceId'>): Logger {
  return deps.logger.child({ runId: action.runId, deviceId: action.deviceId });
}
