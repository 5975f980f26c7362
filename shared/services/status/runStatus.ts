import type { EvidenceItem, RunView } from '../../runs/model.js';
import { pendingResults } from '../../runs/pending.js';
import type { StatusDeps } from './deps.js';
import type { EvidenceStatus, RunPhase, RunStatus } from './runStatusSchema.js';

export type { EvidenceStatus, RunPhase, RunStatus } from './runStatusSchema.js';

/** The run's status (GET /api/runs/{id}), or undefined when no run has that id. */
export async function getRunStatus(deps: StatusDeps, runId: string): Promise<RunStatus | undefined> {
  const view = await deps.runs.getRun(runId);
  return view ? toRunStatus(view) : undefined;
}

export function toRunStatus(view: RunView): RunStatus {
  const devices = view.actions.map((a) => {
    const evidence = view.evidence.filter((e) => e.deviceId === a.deviceId);
    return {
      deviceId: a.deviceId,
      deviceName: a.deviceName,
      state: a.state,
      queuedAt: isoOf(a.createdMs),
      submittedAt: isoOf(a.submittedMs),
      endedAt: isoOf(a.endedMs),
      actionId: a.machineActionId,
      actionStatus: a.actionStatus,
      lastError: a.lastError,
      cancelledBy: a.cancelledBy,
      cancelReason: a.cancelReason,
      commands: a.commands,
      commandOutcomes: a.commandOutcomes,
      evidence: evidence.map(toEvidenceStatus),
      evidencePending: pendingResults(a, evidence),
      evidenceFailed: (a.evidenceFailures ?? []).map((f) => ({ commandIndex: f.commandIndex, reason: f.reason })),
    };
  });
  return {
    runId: view.run.runId,
    created: isoOf(view.run.createdMs),
    phase: phaseOf(devices),
    trigger: view.run.trigger,
    playbook: view.run.playbook,
    refused: view.run.refused,
    devices,
  };
}

const isoOf = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());

function toEvidenceStatus(e: EvidenceItem): EvidenceStatus {
  return {
    commandIndex: e.commandIndex,
    commandType: e.commandType,
    blobName: e.blobName,
    sizeBytes: e.sizeBytes,
    sha256: e.sha256,
    contentEncoding: e.contentEncoding,
    originalSha256: e.originalSha256,
    originalSizeBytes: e.originalSizeBytes,
    transcript: e.transcript,
  };
}

export function phaseOf(devices: RunStatus['devices']): RunPhase {
  if (devices.every((d) => d.state === 'queued')) return devices.length === 0 ? 'ended' : 'queued';
  if (devices.some((d) => d.state === 'queued' || d.state === 'submitting' || d.state === 'submitted')) return 'running';
  if (devices.some((d) => d.evidencePending.length > 0)) return 'collecting';
  return 'ended';
}
