import { fail, ok, type Result } from '../result.js';
import type { DeviceAction, EvidenceItem, RunView } from '../runs/model.js';
import { toIssues } from '../validation.js';
import { MANIFEST_SCHEMA_ID, manifestSchema, type Manifest, type ManifestItem } from './manifestSchema.js';

/**
 * Builds the run's chain-of-custody manifest from the run store, keeping any
 * item an earlier version of the manifest listed that this view lacks (items
 * are facts that never change, so a union loses nothing when two collectors
 * race). The result is not yet validated: see `checkManifest`.
 */
export function buildManifest(view: RunView, previous: Manifest | undefined, generatorVersion: string, generatedMs: number): Manifest {
  const { run } = view;
  const trigger: Manifest['trigger'] =
    run.trigger.kind === 'schedule'
      ? { kind: 'schedule', playbook: run.trigger.playbook, firedUtc: iso(run.trigger.firedAtMs) }
      : run.trigger;
  const fresh = manifestItemsOf(view);
  const keys = new Set(fresh.map(itemKey));
  const kept = (previous?.items ?? []).filter((item) => !keys.has(itemKey(item)));
  return {
    schema: MANIFEST_SCHEMA_ID,
    runId: run.runId,
    createdUtc: iso(run.createdMs),
    generatedUtc: iso(generatedMs),
    generatorVersion,
    trigger,
    alertId: run.trigger.kind === 'alert' ? run.trigger.alertId : null,
    playbook: run.playbook,
    devices: view.actions.map((a) => ({
      deviceId: a.deviceId,
      deviceName: a.deviceName,
      machineActionId: a.machineActionId,
      status: a.actionStatus,
      submittedUtc: isoOrUndefined(a.submittedMs),
      endedUtc: isoOrUndefined(a.endedMs),
      commands: a.commands.map((c) => ({ type: c.type, params: c.params.map((p) => ({ key: p.key, value: p.value })) })),
    })),
    refused: run.refused.map((r) => ({ deviceId: r.deviceId, reason: r.reason })),
    items: [...kept, ...fresh].sort(compareItems),
  };
}

/** Validates a manifest before it is written: a failure here is a bug, never written out. */
export function checkManifest(manifest: unknown): Result<Manifest> {
  const parsed = manifestSchema.safeParse(manifest);
  return parsed.success ? ok(parsed.data) : fail(toIssues(parsed.error));
}

/** Every stored file of the run as the manifest lists it (chain-of-custody facts included), in the manifest's order. */
export function manifestItemsOf(view: RunView): ManifestItem[] {
  return view.evidence
    .map((e) =>
      toItem(
        e,
        view.actions.find((a) => a.deviceId === e.deviceId),
      ),
    )
    .sort(compareItems);
}

function toItem(e: EvidenceItem, action: DeviceAction | undefined): ManifestItem {
  const outcome = action?.commandOutcomes.find((o) => o.index === e.commandIndex);
  return {
    device: { id: e.deviceId, name: action?.deviceName },
    machineActionId: e.machineActionId,
    action: { status: action?.actionStatus, submittedUtc: isoOrUndefined(action?.submittedMs), endedUtc: isoOrUndefined(action?.endedMs) },
    command: {
      index: e.commandIndex,
      type: e.commandType,
      source: e.source,
      startedUtc: defenderTime(outcome?.startTime),
      endedUtc: defenderTime(outcome?.endTime),
    },
    blob: {
      name: e.blobName,
      sizeBytes: e.sizeBytes,
      sha256: e.sha256,
      contentType: e.contentType,
      contentEncoding: e.contentEncoding ?? 'identity',
    },
    original: e.originalSha256 === undefined ? undefined : { sha256: e.originalSha256, sizeBytes: e.originalSizeBytes ?? 0 },
    transcript: e.transcript,
    collectedUtc: iso(e.collectedMs),
    collectorVersion: e.collectorVersion ?? 'unrecorded',
  };
}

/** An item's place in the manifest's order: device, machine action, command index. */
export const itemKey = (i: ManifestItem): string => `${i.device.id}|${i.machineActionId}|${i.command.index}`;
const compareItems = (a: ManifestItem, b: ManifestItem): number => itemKey(a).localeCompare(itemKey(b));

const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrUndefined = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : iso(ms));

/** Defender's times (up to 7 fractional digits) as ISO UTC; undefined when absent or unreadable. */
function defenderTime(text: string | null | undefined): string | undefined {
  if (!text) return undefined;
  const ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text}Z`);
  return Number.isFinite(ms) ? iso(ms) : undefined;
}
