import type { RunView } from '../runs/model.js';

/**
 * The run's chain-of-custody record: who asked (trigger), which playbook
 * version ran, on which device, which action and command produced each item,
 * its size and hashes, and where it is stored. Regenerated from the run store
 * after each collected item.
 */
export function buildManifest(view: RunView, collectorVersion: string, generatedMs: number): Record<string, unknown> {
  return {
    schema: 'mde-responder/manifest@1',
    runId: view.run.runId,
    generatedUtc: new Date(generatedMs).toISOString(),
    collectorVersion,
    trigger: view.run.trigger,
    playbook: view.run.playbook,
    devices: view.actions.map((a) => ({
      deviceId: a.deviceId,
      deviceName: a.deviceName,
      machineActionId: a.machineActionId,
      status: a.actionStatus,
      submittedUtc: iso(a.submittedMs),
      endedUtc: iso(a.endedMs),
      commands: a.commands,
    })),
    items: view.evidence.map((e) => ({
      deviceId: e.deviceId,
      machineActionId: e.machineActionId,
      commandIndex: e.commandIndex,
      commandType: e.commandType,
      source: e.source,
      blobName: e.blobName,
      sizeBytes: e.sizeBytes,
      sha256: e.sha256,
      contentEncoding: e.contentEncoding,
      originalSha256: e.originalSha256,
      originalSizeBytes: e.originalSizeBytes,
      collectedUtc: iso(e.collectedMs),
    })),
  };
}

function iso(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString();
}
