import type { DeviceAction, EvidenceItem } from './model.js';

/**
 * Results of an ended action that Defender completed and that are neither
 * stored (`evidence`: the run's items) nor failed for good: what the run is
 * still collecting.
 */
export function pendingResults(action: DeviceAction, evidence: readonly EvidenceItem[]): number[] {
  if (action.state !== 'ended') return [];
  const completed = new Set(action.commandOutcomes.filter((o) => o.commandStatus === 'Completed').map((o) => o.index));
  const settled = new Set([
    ...evidence.filter((e) => e.deviceId === action.deviceId).map((e) => e.commandIndex),
    ...(action.evidenceFailures ?? []).map((f) => f.commandIndex),
  ]);
  return action.collectIndexes.filter((i) => completed.has(i) && !settled.has(i));
}
