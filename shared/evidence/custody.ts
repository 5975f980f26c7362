import type { Run } from '../runs/model.js';
import type { StreamDigest } from './hashing.js';

/**
 * What travels with an evidence blob so it can be traced and found without
 * the run store: metadata (who asked, which playbook, which device, action
 * and command, the original path, the collector) and index tags (run, alert,
 * device, action, SHA-256), so `findBlobsByTags("sha256='…'")` finds it.
 * The hashes are known only at the end of the stream: they are added at the
 * commit (`sealedProperties`).
 */
export interface CustodySubject {
  run: Run;
  deviceId: string;
  deviceName?: string;
  machineActionId: string;
  commandIndex: number;
  commandType: string;
  /** Path on the device or script name: attacker-influenced data. */
  source: string;
  collectorVersion: string;
}

/**
 * UTF-8 bytes kept of free-text metadata values. Non-ASCII bytes are stored
 * percent-encoded (3 characters each), so the worst case stays well under the
 * 8 KiB metadata limit: 3 x (600 + 5 x 200) plus the ids. The manifest and
 * the run store keep the full text.
 */
const SOURCE_BYTES = 600;
const TEXT_BYTES = 200;

export function custodyProperties(s: CustodySubject): { metadata: Record<string, string>; tags: Record<string, string> } {
  const alertId = s.run.trigger.kind === 'alert' ? s.run.trigger.alertId : undefined;
  const metadata: Record<string, string> = {
    runId: s.run.runId,
    trigger: s.run.trigger.kind,
    ...(alertId === undefined ? {} : { alertId: bounded(alertId, TEXT_BYTES) }),
    ...(s.run.trigger.kind === 'manual' ? { requestedBy: bounded(s.run.trigger.requestedBy, TEXT_BYTES) } : {}),
    playbook: bounded(`${s.run.playbook.name}@${s.run.playbook.version}`, TEXT_BYTES),
    playbookSha256: s.run.playbook.contentSha256,
    deviceId: s.deviceId,
    ...(s.deviceName === undefined ? {} : { deviceName: bounded(s.deviceName, TEXT_BYTES) }),
    machineActionId: s.machineActionId,
    commandIndex: String(s.commandIndex),
    commandType: s.commandType,
    source: bounded(s.source, SOURCE_BYTES),
    collectorVersion: bounded(s.collectorVersion, TEXT_BYTES),
  };
  const tags: Record<string, string> = {
    runId: s.run.runId,
    ...(alertId === undefined ? {} : { alertId }),
    deviceId: s.deviceId,
    machineActionId: s.machineActionId,
    commandType: s.commandType,
  };
  return { metadata, tags };
}

/** Added at the commit, once the stream has ended. */
export function sealedProperties(digest: StreamDigest): { metadata: Record<string, string>; tags: Record<string, string> } {
  const original = digest.original;
  return {
    metadata: {
      sha256: digest.sha256,
      sizeBytes: String(digest.sizeBytes),
      ...(original ? { originalSha256: original.sha256, originalSizeBytes: String(original.sizeBytes) } : {}),
    },
    tags: { sha256: digest.sha256, ...(original ? { originalSha256: original.sha256 } : {}) },
  };
}

/** At most `maxBytes` of UTF-8, cut between code points, with a marker when cut. */
export function bounded(value: string, maxBytes: number): string {
  if (Buffer.byteLength(value, 'utf8') <= maxBytes) return value;
  const marker = '...(cut)';
  let kept = '';
  let bytes = 0;
  for (const codePoint of value) {
    const size = Buffer.byteLength(codePoint, 'utf8');
    if (bytes + size > maxBytes - marker.length) break;
    kept += codePoint;
    bytes += size;
  }
  return kept + marker;
}
