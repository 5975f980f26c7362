import type { Hold } from '../../pacing/state.js';
import type { DeviceAction, RunView } from '../../runs/model.js';
import { pendingResults } from '../../runs/pending.js';
import { redrivesInState } from '../../runs/transitions.js';

/**
 * What the reconciliation sweep does for one device action that made no
 * progress for `staleMs` (pure; sweep.ts carries it out):
 *
 * - `resubmit`: queued (with no send slot booked for it) or submitting — its
 *   submit message may be lost (a crash, an ambiguous write that left it
 *   owned by nobody). The submitter
 *   handles a resent message safely: it looks for the action an earlier
 *   attempt may have created before sending another.
 * - `repoll`: submitted, but the pacer no longer follows it (its hold was
 *   pruned after the offline deadline, lost, or replaced by an admission of
 *   a later delivery that names no action): read it once and apply it.
 * - `recollect`: ended with results neither stored nor failed for good — its
 *   collect messages may be lost. Past `maxRedrives`, `give-up` records them
 *   as failed with the reason, so the run ends instead of collecting forever.
 */
export type Redrive =
  | { kind: 'resubmit'; action: DeviceAction }
  | { kind: 'repoll'; action: DeviceAction; machineActionId: string }
  | { kind: 'recollect'; action: DeviceAction; machineActionId: string; commandIndexes: number[] }
  | { kind: 'give-up'; action: DeviceAction; commandIndexes: number[] }
  | { kind: 'needs-operator'; action: DeviceAction };

export interface PlanBounds {
  nowMs: number;
  staleMs: number;
  maxRedrives: number;
}

export function planRedrives(view: RunView, holds: Readonly<Record<string, Hold>>, bounds: PlanBounds): Redrive[] {
  return view.actions.flatMap((action) => {
    const step = redriveFor(action, view, holds[action.deviceId], bounds);
    return step ? [step] : [];
  });
}

function redriveFor(action: DeviceAction, view: RunView, hold: Hold | undefined, bounds: PlanBounds): Redrive | undefined {
  if (bounds.nowMs - lastProgressMs(action, view) < bounds.staleMs) return undefined;
  const exhausted = redrivesInState(action) >= bounds.maxRedrives;
  switch (action.state) {
    case 'queued':
      // A send slot booked for it (an unexpired reservation) is its message's appointment: it is waiting, not lost.
      if (hold?.kind === 'reserved' && hold.runId === action.runId && hold.expiresMs > bounds.nowMs) return undefined;
      return exhausted ? { kind: 'needs-operator', action } : { kind: 'resubmit', action };
    case 'submitting':
      return exhausted ? { kind: 'needs-operator', action } : { kind: 'resubmit', action };
    case 'submitted': {
      // Followed only by a hold that names this very action: an admission hold of a later delivery of the same
      // run (no action id) is never polled by the tick.
      const followed = hold?.kind === 'open' && hold.runId === action.runId && hold.actionId === action.machineActionId;
      if (followed || action.machineActionId === undefined) return undefined;
      return exhausted ? { kind: 'needs-operator', action } : { kind: 'repoll', action, machineActionId: action.machineActionId };
    }
    case 'ended': {
      const commandIndexes = pendingResults(action, view.evidence);
      if (commandIndexes.length === 0) return undefined;
      if (exhausted || action.machineActionId === undefined) return { kind: 'give-up', action, commandIndexes };
      return { kind: 'recollect', action, machineActionId: action.machineActionId, commandIndexes };
    }
    case 'rejected':
    case 'cancelled':
      return undefined;
  }
}

/** The last time anything happened to the action: its record changed, one of its results was stored, or the sweep re-drove it. */
function lastProgressMs(action: DeviceAction, view: RunView): number {
  const stored = view.evidence.filter((e) => e.deviceId === action.deviceId).map((e) => e.collectedMs);
  return Math.max(action.updatedMs, action.endedMs ?? 0, action.redrivenMs ?? 0, ...stored);
}
