import type { DeviceActionState, RunView, Trigger } from '../runs/model.js';
import type { ActionFailure, NotifyEvent } from './events.js';
import { plainLine } from './plainText.js';

/**
 * A notification as every sink renders it: built from the run record when the
 * notify message is delivered. Texts that come from an alert, a device or
 * Defender (alert title, device name, path, error) are data: each sink encodes
 * them for its format and never interprets them.
 */

export interface EvidenceNote {
  commandIndex: number;
  commandType: string;
  blobName: string;
  sizeBytes: number;
  sha256: string;
  /** The original file's SHA-256 when the stored bytes encode it (GetFile gzip). */
  originalSha256?: string;
}

export interface DeviceNote {
  deviceId: string;
  deviceName?: string;
  state: DeviceActionState;
  actionId?: string;
  actionStatus?: string;
  lastError?: string;
  evidence: EvidenceNote[];
  evidenceFailed: { commandIndex: number; reason: string }[];
}

export interface RunNote {
  runId: string;
  trigger: Trigger;
  playbook: { name: string; version: string; contentSha256: string };
  refused: { deviceId: string; reason: string }[];
}

export type Notification =
  | { id: string; kind: 'run-ended'; atMs: number; run: RunNote; devices: DeviceNote[] }
  | { id: string; kind: 'action-failed'; atMs: number; failure: ActionFailure; run: RunNote; device: DeviceNote }
  | {
      id: string;
      kind: 'dead-lettered';
      atMs: number;
      queue: string;
      reason: string;
      description: string;
      originalMessageId?: string;
    };

/**
 * The notification for an event, from the run it is about (undefined for a run
 * event whose run or device is not found). Every text from outside is one
 * plain line of at most `fieldMaxChars` characters.
 */
export function notificationOf(
  id: string,
  event: NotifyEvent,
  view: RunView | undefined,
  atMs: number,
  fieldMaxChars: number,
): Notification | undefined {
  const line = (text: string): string => plainLine(text, fieldMaxChars);
  if (event.kind === 'dead-lettered') {
    const { kind, queue, reason, originalMessageId } = event;
    const description = line(event.description);
    return { id, kind, atMs: event.atMs, queue, reason, description, ...(originalMessageId === undefined ? {} : { originalMessageId }) };
  }
  if (!view) return undefined;
  const run = runNote(view, line);
  if (event.kind === 'run-ended') {
    return { id, kind: 'run-ended', atMs, run, devices: view.actions.map((a) => deviceNote(view, a.deviceId, line)) };
  }
  if (!view.actions.some((a) => a.deviceId === event.deviceId)) return undefined;
  return { id, kind: 'action-failed', atMs, failure: event.failure, run, device: deviceNote(view, event.deviceId, line) };
}

type Line = (text: string) => string;

function runNote(view: RunView, line: Line): RunNote {
  const { runId, trigger, playbook, refused } = view.run;
  return {
    runId,
    trigger: boundTrigger(trigger, line),
    playbook,
    refused: refused.map((r) => ({ deviceId: r.deviceId, reason: line(r.reason) })),
  };
}

function boundTrigger(trigger: Trigger, line: Line): Trigger {
  switch (trigger.kind) {
    case 'alert':
      return { ...trigger, ...(trigger.alertTitle === undefined ? {} : { alertTitle: line(trigger.alertTitle) }) };
    case 'manual':
      return {
        ...trigger,
        requestedBy: line(trigger.requestedBy),
        ...(trigger.reason === undefined ? {} : { reason: line(trigger.reason) }),
      };
    case 'schedule':
      return trigger;
  }
}

function deviceNote(view: RunView, deviceId: string, line: Line): DeviceNote {
  const action = view.actions.find((a) => a.deviceId === deviceId);
  const evidence = view.evidence
    .filter((e) => e.deviceId === deviceId)
    .sort((a, b) => a.commandIndex - b.commandIndex)
    .map((e) => ({
      commandIndex: e.commandIndex,
      commandType: e.commandType,
      blobName: e.blobName,
      sizeBytes: e.sizeBytes,
      sha256: e.sha256,
      ...(e.originalSha256 === undefined ? {} : { originalSha256: e.originalSha256 }),
    }));
  return {
    deviceId,
    ...(action?.deviceName === undefined ? {} : { deviceName: line(action.deviceName) }),
    state: action?.state ?? 'queued',
    ...(action?.machineActionId === undefined ? {} : { actionId: action.machineActionId }),
    ...(action?.actionStatus === undefined ? {} : { actionStatus: action.actionStatus }),
    ...(action?.lastError === undefined ? {} : { lastError: line(action.lastError) }),
    evidence,
    evidenceFailed: (action?.evidenceFailures ?? []).map((f) => ({ commandIndex: f.commandIndex, reason: line(f.reason) })),
  };
}

/** A device's outcome in a few words: its Defender status, or its state when Defender has none. */
export function outcomeOf(device: DeviceNote): string {
  return device.actionStatus ?? device.state;
}
