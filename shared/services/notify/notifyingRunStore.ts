import { describeError } from '../../errors.js';
import { actionFailure } from '../../notify/events.js';
import type { DeviceAction, EvidenceItem, Run } from '../../runs/model.js';
import type { RunStore } from '../../runs/store.js';
import { FINAL_STATES } from '../../runs/transitions.js';
import { phaseOf, toRunStatus } from '../status/runStatus.js';
import type { EmitDeps } from './deps.js';
import { emitNotification } from './emit.js';

/**
 * The run store as every service writes through it, telling the notify queue
 * when a write ends a run or fails a device action. Every change of a run
 * passes here (a device action's write, an evidence item recorded, a run
 * created with no device), so this is the one place those events are seen:
 *
 * - a device action written failed, expired or rejected, when the version it
 *   replaced was not: `action-failed` (the previous version is read first,
 *   only for such writes);
 * - after a write that leaves its action final, or records evidence, the run
 *   is read: every device settled (phase `ended`): `run-ended`. Two workers
 *   settling the last two devices may both see it: one message id, so one
 *   notification.
 *
 * The store's own answer is returned unchanged; a failure to notify is logged
 * and never fails the write (emitNotification, and the reads here, swallow).
 */
export function notifyingRunStore(inner: RunStore, deps: EmitDeps): RunStore {
  return {
    createRun: async (run: Run, actions: DeviceAction[]) => {
      const created = await inner.createRun(run, actions);
      if (created === 'created' && actions.length === 0) await noticeRunEnd(inner, deps, run.runId);
      return created;
    },
    getRun: (runId) => inner.getRun(runId),
    listRuns: (query) => inner.listRuns(query),
    getAction: (runId, deviceId) => inner.getAction(runId, deviceId),
    replaceAction: async (next: DeviceAction, etag: string) => {
      const failure = actionFailure(next);
      const before = failure === undefined ? undefined : await quietly(deps, () => inner.getAction(next.runId, next.deviceId));
      const replaced = await inner.replaceAction(next, etag);
      if (replaced !== 'ok') return replaced;
      if (failure !== undefined && before?.etag === etag && actionFailure(before.value) === undefined) {
        const event = { kind: 'action-failed' as const, runId: next.runId, deviceId: next.deviceId, failure };
        await emitNotification(deps, event, { alertTriggered: false });
      }
      if (FINAL_STATES.includes(next.state)) await noticeRunEnd(inner, deps, next.runId);
      return replaced;
    },
    putEvidence: async (item: EvidenceItem) => {
      const recorded = await inner.putEvidence(item);
      if (recorded === 'created') await noticeRunEnd(inner, deps, item.runId);
      return recorded;
    },
  };
}

async function noticeRunEnd(inner: RunStore, deps: EmitDeps, runId: string): Promise<void> {
  const view = await quietly(deps, () => inner.getRun(runId));
  if (!view || phaseOf(toRunStatus(view).devices) !== 'ended') return;
  // Two workers settling the last two devices may both log this: count runs by runId (infra/workbook.json does).
  deps.logger.log('info', 'run ended', { runId, devices: view.actions.length, triggerKind: view.run.trigger.kind });
  await emitNotification(deps, { kind: 'run-ended', runId }, { alertTriggered: view.run.trigger.kind === 'alert' });
}

/** A read for a notification only: its failure is logged, and the caller goes on without it. */
async function quietly<T>(deps: EmitDeps, read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    deps.logger.log('error', 'a read for a notification failed; the notification is not sent', { error: describeError(error) });
    return undefined;
  }
}
