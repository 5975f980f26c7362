import { joinPath, toSeverity, type Alert, type AlertDevice } from './alert.js';
import { canonicalDetectionSource, canonicalServiceSource } from './sources.js';
import type { StreamingRow } from './streamingRow.js';

/** The title of a streamed alert whose records give none (older exports lack Title, Severity and Categories). */
export const UNTITLED = '(no title in the streamed records)';

/**
 * One Alert out of the rows of one AlertId, in whatever order they arrived:
 * the AlertInfo row (the newest, if several) gives title, category,
 * severity, sources and techniques, evidence rows fill in what it lacks;
 * devices come from Machine rows and from any row's device (the DeviceId
 * column, or the host nested in AdditionalFields); each Process and File row
 * becomes a process or file on its device. `notes` (a cap reached, ...) and
 * every row's problems are reported in `problems`.
 */
export function alertFromRows(alertId: string, rows: readonly StreamingRow[], notes: readonly string[] = []): Alert {
  const infos = rows.filter((r) => r.table === 'info').sort((a, b) => (b.timestampMs ?? 0) - (a.timestampMs ?? 0));
  const evidence = rows.filter((r) => r.table === 'evidence');
  const ordered = [...infos, ...evidence];
  const first = <K extends 'title' | 'severity' | 'category' | 'serviceSource' | 'detectionSource'>(key: K): string | undefined =>
    ordered.map((r) => r[key]).find((v) => v !== undefined);
  const times = rows.map((r) => r.timestampMs).filter((t): t is number => t !== undefined);
  const devices = new Map<string, AlertDevice>();
  for (const row of evidence) {
    if (!row.deviceId) continue;
    const known = devices.get(row.deviceId);
    devices.set(row.deviceId, {
      id: row.deviceId,
      name: known?.name ?? row.deviceName,
      rbacGroupName: known?.rbacGroupName ?? row.machineGroup,
    });
  }
  const ofType = (type: string) => evidence.filter((e) => (e.entityType ?? '').toLowerCase() === type);
  const serviceSource = first('serviceSource');
  const detectionSource = first('detectionSource');
  const problems = [...notes, ...rows.flatMap((r) => (r.problems ?? []).map((p) => `${r.entityType ?? r.table} record: ${p}`))];
  return {
    id: alertId,
    source: 'streaming',
    title: first('title') ?? UNTITLED,
    category: first('category'),
    severity: toSeverity(first('severity')),
    serviceSource: canonicalServiceSource(serviceSource),
    rawServiceSource: serviceSource,
    detectionSource: canonicalDetectionSource(detectionSource),
    rawDetectionSource: detectionSource,
    createdMs: times.length > 0 ? Math.min(...times) : undefined,
    lastUpdatedMs: times.length > 0 ? Math.max(...times) : undefined,
    mitreTechniques: [...new Set(ordered.flatMap((r) => r.techniques ?? []))],
    devices: [...devices.values()],
    processes: ofType('process').map((e) => ({
      deviceId: e.deviceId,
      processId: e.processId,
      parentProcessId: e.parentProcessId,
      fileName: e.fileName,
      folderPath: e.folderPath,
      commandLine: e.commandLine,
      sha256: e.sha256,
      sha1: e.sha1,
    })),
    files: ofType('file').map((e) => ({
      deviceId: e.deviceId,
      fileName: e.fileName,
      folderPath: e.folderPath,
      path: joinPath(e.folderPath, e.fileName),
      sha256: e.sha256,
      sha1: e.sha1,
      sizeBytes: e.fileSize,
    })),
    ...(problems.length > 0 ? { problems } : {}),
  };
}

/** Whether the AlertInfo row has arrived and a device is known (what acting on a streamed alert needs first). */
export function hasInfoAndDevice(rows: readonly StreamingRow[]): boolean {
  return rows.some((r) => r.table === 'info') && rows.some((r) => r.table === 'evidence' && r.deviceId !== undefined);
}
