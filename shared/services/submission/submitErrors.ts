import { DeviceBusyError, PermanentError, ThrottledError, describeError } from '../../errors.js';
import type { DeviceAction } from '../../runs/model.js';
import type { LiveResponseOutcome } from '../../telemetry/instruments.js';
import { markRejected, requeue } from '../../runs/transitions.js';
import { updateAction } from '../../runs/updateAction.js';
import type { SubmissionDeps } from './deps.js';
import { enqueueSubmit } from './queueing.js';
import { releaseDevice } from './handOver.js';

/**
 * What a failed submission call means for the action: throttled or a busy
 * device is a wait (requeued, rescheduled); a permanent refusal rejects it;
 * anything else leaves the outcome unknown and is thrown: a passing fault is
 * rescheduled by the delivery contract (settleExpected), and the retry looks
 * for the action first.
 */
export async function handleSubmitError(
  deps: Pick<SubmissionDeps, 'clock' | 'logger' | 'bus' | 'runs' | 'pacer'>,
  action: DeviceAction,
  error: unknown,
  admittedMs: number,
): Promise<'deferred' | 'rejected'> {
  const { runId, deviceId } = action;
  const log = deps.logger.child({ runId, deviceId });
  if (error instanceof ThrottledError || error instanceof DeviceBusyError) {
    let waitMs: number;
    if (error instanceof ThrottledError) {
      // Retry-After holds every worker back, not just this message; the ledger learns what the tenant accepted.
      waitMs = error.retryAfterMs;
      await deps.pacer.callRefused(admittedMs, waitMs);
      // Back after the wait, first in the device's line: nobody waiting overtakes it meanwhile.
      await deps.pacer.release(deviceId, runId, deps.clock.nowMs() + waitMs);
    } else {
      // Someone else's session (e.g. the portal): back this device off, exponentially.
      waitMs = await deps.pacer.deviceBusy(deviceId, runId);
    }
    const requeued = await updateAction(deps.runs, runId, deviceId, (a) => requeue(a, deps.clock.nowMs(), describeError(error)));
    if (requeued)
      await enqueueSubmit(deps, requeued, deps.clock.nowMs() + waitMs, error instanceof ThrottledError ? 'throttled' : 'device-busy');
    log.log('warn', error instanceof ThrottledError ? 'throttled by Defender; rescheduled' : 'device busy; rescheduled', { waitMs });
    return 'deferred';
  }
  if (error instanceof PermanentError) {
    await releaseDevice(deps, deviceId, runId);
    await updateAction(deps.runs, runId, deviceId, (a) => markRejected(a, describeError(error), deps.clock.nowMs()));
    log.log('error', 'Defender refused the submission', { error: describeError(error) });
    return 'rejected';
  }
  // Outcome unknown: stay 'submitting'; the message comes back (settleExpected) and the retry looks for the action first.
  log.log('warn', 'submission outcome unknown; will retry after checking for an existing action', { error: describeError(error) });
  throw error;
}

/** How Defender answered a runliveresponse call that failed, as the call counter names it: a 429, a refusal (a busy device, a 4xx), or no answer (a passing fault). */
export function failedCallOutcome(error: unknown): LiveResponseOutcome {
  if (error instanceof ThrottledError) return 'throttled';
  if (error instanceof DeviceBusyError || error instanceof PermanentError) return 'refused';
  return 'failed';
}
