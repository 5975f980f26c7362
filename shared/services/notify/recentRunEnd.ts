import type { RunView } from '../../runs/model.js';
import { phaseOf, toRunStatus } from '../status/runStatus.js';
import type { EmitDeps } from './deps.js';
import { emitNotification, notificationsOn } from './emit.js';

/**
 * When the run's last device settled: its action ended (or was refused or
 * cancelled) and each of its results was stored or failed for good. A run
 * with no device ended when it was created. Undefined while the run has not
 * ended.
 */
export function runEndedMs(view: RunView): number | undefined {
  if (phaseOf(toRunStatus(view).devices) !== 'ended') return undefined;
  const settled = view.actions.map((a) =>
    Math.max(
      a.endedMs ?? a.updatedMs,
      ...(a.evidenceFailures ?? []).map((f) => f.atMs),
      ...view.evidence.filter((e) => e.deviceId === a.deviceId).map((e) => e.collectedMs),
    ),
  );
  return Math.max(view.run.createdMs, ...settled);
}

/**
 * The reconciliation sweep's fallback for a run-ended notification that was
 * neither queued nor recorded as owed (the bus and the owed table failing
 * together): for a run it reads that ended within NOTIFY_RESEND_ENDED_WITHIN_MS,
 * queues the notification again under the same id. That window is shorter
 * than duplicate detection's, so a first queueing that did go out makes this
 * one a duplicate, dropped; past it nothing is sent. True when it was queued
 * again (or, refused, recorded as owed).
 */
export async function requeueRecentRunEnd(deps: EmitDeps, view: RunView): Promise<boolean> {
  const { resendEndedWithinMs } = deps.config.notify;
  if (resendEndedWithinMs === 0 || !notificationsOn(deps.config.notify)) return false;
  const endedMs = runEndedMs(view);
  if (endedMs === undefined || deps.clock.nowMs() - endedMs > resendEndedWithinMs) return false;
  const alertTriggered = view.run.trigger.kind === 'alert';
  await emitNotification(deps, { kind: 'run-ended', runId: view.run.runId }, { alertTriggered });
  return true;
}
