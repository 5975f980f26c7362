import type { TranscriptSummary } from '../../evidence/transcript.js';
import type { DeviceAction, EvidenceItem, RunView } from '../../runs/model.js';
import { pendingResults } from '../../runs/pending.js';
import type { StatusDeps } from './deps.js';

export type RunPhase = 'queued' | 'running' | 'collecting' | 'ended';

/** The run as GET /api/runs/{id} and the local summary show it. */
export interface RunStatus {
  runId: string;
  phase: RunPhase;
  trigger: RunView['run']['trigger'];
  playbook: RunView['run']['playbook'];
  refused: RunView['run']['refused'];
  devices: {
    deviceId: string;
    deviceName?: string;
    state: DeviceAction['state'];
    actionId?: string;
    actionStatus?: string;
    lastError?: string;
    /** Set once an operator asked to cancel (POST /api/runs/{id}/cancel): who, as verified, and why. */
    cancelledBy?: string;
    cancelReason?: string;
    commands: DeviceAction['commands'];
    commandOutcomes: DeviceAction['commandOutcomes'];
    evidence: EvidenceStatus[];
    evidencePending: number[];
    /** Results that can never be collected, with the reason (the run ends without them). */
    evidenceFailed: { commandIndex: number; reason: string }[];
  }[];
}

/**
 * One stored result. For a RunScript, `transcript` holds the exit code and
 * bounded, sanitised previews of its output and errors: text written on the
 * device, shown as data, never interpreted.
 */
export interface EvidenceStatus {
  commandIndex: number;
  commandType: string;
  blobName: string;
  sizeBytes: number;
  sha256: string;
  contentEncoding?: string;
  originalSha256?: string;
  originalSizeBytes?: number;
  transcript?: TranscriptSummary;
}

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
    phase: phaseOf(devices),
    trigger: view.run.trigger,
    playbook: view.run.playbook,
    refused: view.run.refused,
    devices,
  };
}

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

function phaseOf(devices: RunStatus['devices']): RunPhase {
  if (devices.every((d) => d.state === 'queued')) return devices.length === 0 ? 'ended' : 'queued';
  if (devices.some((d) => d.state === 'queued' || d.state === 'submitting' || d.state === 'submitted')) return 'running';
  if (devices.some((d) => d.evidencePending.length > 0)) return 'collecting';
  return 'ended';
}
