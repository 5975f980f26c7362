/**
 * The triage benchmark's alert storm: messages in the three accepted shapes
 * (Defender API alert, Graph alerts_v2, streaming API records), built from
 * the documented fields as test/fixtures/alerts are, each naming one device
 * of the benchmark fleet. A share of the messages repeats an earlier alert:
 * the same body again (a redelivery) or, for the two shapes that carry an
 * update time, the alert updated a minute later.
 */

export type AlertShape = 'defender-api' | 'graph-v2' | 'streaming';
export const ALERT_SHAPES: readonly AlertShape[] = ['defender-api', 'graph-v2', 'streaming'];

export interface AlertMessage {
  shape: AlertShape;
  /** 'first': an alert not seen before; 'redelivered': the same body again; 'updated': a later update of it. */
  kind: 'first' | 'redelivered' | 'updated';
  alertId: string;
  deviceId: string;
  body: unknown;
}

/** One message in this many repeats an earlier alert (20%). */
const REPEAT_EVERY = 5;

/**
 * `count` messages; alert n names device n modulo the fleet. Every fifth
 * message repeats the alert a few messages before it (alternately
 * redelivered and updated; a streamed alert is redelivered, its shape
 * having no update time).
 */
export function alertStorm(count: number, deviceIdOf: (n: number) => string, devices: number): AlertMessage[] {
  const messages: AlertMessage[] = [];
  let alerts = 0;
  for (let i = 0; i < count; i++) {
    if (i % REPEAT_EVERY === REPEAT_EVERY - 1) {
      const n = Math.max(0, alerts - 3);
      const updated = Math.floor(i / REPEAT_EVERY) % 2 === 1 && shapeOf(n) !== 'streaming';
      messages.push(alertMessage(n, deviceIdOf(n % devices), updated ? 'updated' : 'redelivered'));
    } else {
      messages.push(alertMessage(alerts, deviceIdOf(alerts % devices), 'first'));
      alerts += 1;
    }
  }
  return messages;
}

const shapeOf = (n: number): AlertShape => ALERT_SHAPES[n % ALERT_SHAPES.length] ?? 'defender-api';

/** An alert id of Defender's form, unique per n. */
const alertIdOf = (n: number): string => `da6387${String(n).padStart(14, '0')}_${String(1_000_000_000 + n)}`;

function alertMessage(n: number, deviceId: string, kind: AlertMessage['kind']): AlertMessage {
  const shape = shapeOf(n);
  const alertId = alertIdOf(n);
  const updated = kind === 'updated';
  const body =
    shape === 'defender-api'
      ? defenderApiAlert(alertId, deviceId, updated)
      : shape === 'graph-v2'
        ? graphAlert(alertId, deviceId, updated)
        : streamingRecords(alertId, deviceId);
  return { shape, kind, alertId, deviceId, body };
}

const UPDATED = '2026-11-20T09:01:02.0000000Z';
const FIRST = '2026-11-20T09:00:02.0000000Z';

/** A Defender API alert (mde-api.md): a process named by its evidence, so the memory dump answers it. */
function defenderApiAlert(id: string, machineId: string, updated: boolean): Record<string, unknown> {
  return {
    id,
    incidentId: 1201,
    severity: 'High',
    status: 'New',
    detectionSource: 'WindowsDefenderAtp',
    category: 'CredentialAccess',
    title: 'Suspicious access to LSASS service',
    alertCreationTime: '2026-11-20T09:00:00.0000000Z',
    lastUpdateTime: updated ? UPDATED : FIRST,
    machineId,
    computerDnsName: `${machineId.slice(0, 8)}.contoso.local`,
    mitreTechniques: ['T1003.001'],
    evidence: [
      {
        entityType: 'Process',
        evidenceCreationTime: '2026-11-20T09:00:00.0000000Z',
        fileName: 'OfficeClickToRun.exe',
        filePath: 'C:\\Program Files\\Common Files\\microsoft shared\\ClickToRun',
        processId: 6324,
        processCommandLine: '"OfficeClickToRun.exe" /service',
      },
    ],
  };
}

/** A Graph alerts_v2 alert: the device and a file, so the file collection answers it. */
function graphAlert(id: string, mdeDeviceId: string, updated: boolean): Record<string, unknown> {
  const evidence = { createdDateTime: '2026-11-20T09:10:00Z', verdict: 'suspicious', remediationStatus: 'none', roles: [], tags: [] };
  return {
    '@odata.type': '#microsoft.graph.security.alert',
    id,
    providerAlertId: id,
    incidentId: '1202',
    status: 'new',
    severity: 'medium',
    serviceSource: 'microsoftDefenderForEndpoint',
    detectionSource: 'microsoftDefenderForEndpoint',
    category: 'Malware',
    title: 'Suspicious file dropped',
    createdDateTime: '2026-11-20T09:10:00Z',
    lastUpdateDateTime: updated ? '2026-11-20T09:11:05Z' : '2026-11-20T09:10:05Z',
    mitreTechniques: ['T1105'],
    evidence: [
      { '@odata.type': '#microsoft.graph.security.deviceEvidence', ...evidence, mdeDeviceId, osPlatform: 'Windows11' },
      {
        '@odata.type': '#microsoft.graph.security.fileEvidence',
        ...evidence,
        mdeDeviceId,
        fileDetails: { fileName: 'stage2.ps1', filePath: 'C:\\Users\\jdoe\\AppData\\Local\\Temp', fileSize: 4096 },
      },
    ],
  };
}

/** One message of streaming API records: AlertInfo, the Machine row and a Process row (the memory dump answers it at once). */
function streamingRecords(alertId: string, deviceId: string): Record<string, unknown> {
  const record = (category: string, properties: Record<string, unknown>): Record<string, unknown> => ({
    time: '2026-11-20T09:20:01Z',
    tenantId: '00000000-0000-0000-0000-000000000000',
    operationName: 'Publish',
    category: `AdvancedHunting-${category}`,
    properties: { Timestamp: '2026-11-20T09:19:59Z', AlertId: alertId, ...properties },
  });
  return {
    records: [
      record('AlertInfo', {
        Title: 'Suspicious access to LSASS service',
        Category: 'CredentialAccess',
        Severity: 'High',
        ServiceSource: 'Microsoft Defender for Endpoint',
        DetectionSource: 'EDR',
        AttackTechniques: '["OS Credential Dumping: LSASS Memory (T1003.001)"]',
      }),
      record('AlertEvidence', {
        EntityType: 'Machine',
        EvidenceRole: 'Impacted',
        DeviceId: deviceId,
        DeviceName: `${deviceId.slice(0, 8)}`,
      }),
      record('AlertEvidence', {
        EntityType: 'Process',
        EvidenceRole: 'Related',
        FileName: 'rundll32.exe',
        FolderPath: 'C:\\Windows\\System32',
        DeviceId: deviceId,
        AdditionalFields: JSON.stringify({ Type: 'process', ProcessId: '6324', CommandLine: 'rundll32.exe comsvcs.dll, MiniDump' }),
      }),
    ],
  };
}
