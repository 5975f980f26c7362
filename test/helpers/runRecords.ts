import {
  deviceActionSchema,
  evidenceItemSchema,
  runSchema,
  type DeviceAction,
  type EvidenceItem,
  type Run,
} from '../../shared/runs/model.js';

/** Run records for store tests. They go through the schemas so that fields with defaults are filled in as a read would. */

export const CREATED_MS = 1_700_000_000_000;

export function makeRun(runId: string, deviceIds: string[], alertId = 'da-1', createdMs = CREATED_MS): Run {
  return runSchema.parse({
    runId,
    createdMs,
    trigger: { kind: 'alert', alertId, alertTitle: 'Suspicious PowerShell' },
    playbook: { name: 'collect-triage', version: '3', contentSha256: 'ab'.repeat(32) },
    deviceIds,
    refused: [],
  });
}

export function makeAction(runId: string, deviceId: string, pathValue = 'C:\\Windows\\Temp\\x.log'): DeviceAction {
  return deviceActionSchema.parse({
    runId,
    deviceId,
    commands: [{ type: 'GetFile', params: [{ key: 'Path', value: pathValue }] }],
    comment: `lr:${runId}`,
    state: 'queued',
    commandOutcomes: [],
    collectIndexes: [0],
    submitAttempts: 0,
    createdMs: CREATED_MS,
    updatedMs: CREATED_MS,
  });
}

export function makeEvidence(runId: string, deviceId: string, machineActionId: string, commandIndex: number): EvidenceItem {
  return evidenceItemSchema.parse({
    runId,
    deviceId,
    machineActionId,
    commandIndex,
    commandType: 'GetFile',
    source: 'C:\\Windows\\Temp\\x.log',
    blobName: `${runId}/${deviceId}/${machineActionId}/${commandIndex}`,
    sizeBytes: 10,
    sha256: 'cd'.repeat(32),
    collectedMs: CREATED_MS + 500,
  });
}

/** A device id as Defender writes them: 40 hex digits. */
export const hexId = (n: number): string => n.toString(16).padStart(40, '0');
