import type { DeviceAction } from '../../runs/model.js';
import { markCancelled } from '../../runs/transitions.js';
import { updateAction } from '../../runs/updateAction.js';
import { cancelComment, cancelOpenAction } from '../polling/actionStatus.js';
import { ensurePollTick } from '../polling/pollTick.js';
import type { SubmissionDeps } from './deps.js';
import { releaseDevice } from './handOver.js';

/*
 * What the submitter does with an operator's cancel (POST /api/runs/{id}/cancel):
 * an action not yet sent is never sent, and one whose POST was in flight when
 * the cancel was recorded is cancelled at Defender once it is recorded.
 */

/**
 * The operator cancelled this action and nothing was sent for it (queued, or
 * submitting with no action created): recorded as cancelled unless another
 * delivery has moved it on since `seen`, and any hold this run has on the
 * device is given back. True when the action is cancelled.
 */
export async function settleIfCancelled(deps: SubmissionDeps, seen: DeviceAction): Promise<boolean> {
  const unchanged = (a: DeviceAction): boolean => a.state === seen.state && a.submitAttempts === seen.submitAttempts;
  const saved = await updateAction(deps.runs, seen.runId, seen.deviceId, (a) =>
    a.cancelledBy !== undefined && unchanged(a) ? markCancelled(a, deps.clock.nowMs()) : undefined,
  );
  if (saved?.state !== 'cancelled') return false;
  await releaseDevice(deps, seen.deviceId, seen.runId);
  deps.logger
    .child({ runId: seen.runId, deviceId: seen.deviceId })
    .log('info', 'cancelled before it was sent; nothing submitted', { cancelledBy: saved.cancelledBy });
  return true;
}

/** The operator asked to cancel while the POST was in flight: cancel the action it created, now or at the device's next look. */
export async function cancelIfRequested(deps: SubmissionDeps, saved: DeviceAction | undefined, actionId: string): Promise<void> {
  if (saved?.cancelledBy === undefined || saved.state !== 'submitted') return;
  const ours = { runId: saved.runId, deviceId: saved.deviceId, submittedMs: saved.submittedMs ?? deps.clock.nowMs() };
  const attempt = await cancelOpenAction(deps, ours, actionId, cancelComment(saved));
  if (attempt.kind === 'not-now') await ensurePollTick(deps, attempt.nextLookMs);
  deps.logger
    .child({ runId: saved.runId, deviceId: saved.deviceId })
    .log(attempt.kind === 'ended' ? 'info' : 'warn', 'cancel asked while submitting', {
      actionId,
      attempt: attempt.kind,
      ...(attempt.kind === 'ended' ? { status: attempt.status } : { error: attempt.error }),
    });
}
