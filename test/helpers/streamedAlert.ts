import { FINANCE, record } from './alerts.js';

/**
 * A streamed alert as the Defender streaming API sends it, built from the
 * documented AlertInfo and AlertEvidence columns: an AlertInfo row, a
 * Machine row, and a Process row whose DeviceId is null and whose process
 * id, command line and host are in AdditionalFields (a JSON string).
 */
export const STREAMED_ID = 'da638711111111111111_1111111111';

export function streamedInfo(alertId = STREAMED_ID): Record<string, unknown> {
  return record('AlertInfo', {
    Timestamp: '2026-11-20T09:19:58Z',
    AlertId: alertId,
    Title: 'Suspicious access to LSASS service',
    Category: 'CredentialAccess',
    Severity: 'High',
    ServiceSource: 'Microsoft Defender for Endpoint',
    DetectionSource: 'EDR',
    AttackTechniques: '["OS Credential Dumping: LSASS Memory (T1003.001)"]',
  });
}

export function streamedMachine(alertId = STREAMED_ID, deviceId = FINANCE): Record<string, unknown> {
  return record('AlertEvidence', {
    Timestamp: '2026-11-20T09:19:58Z',
    AlertId: alertId,
    EntityType: 'Machine',
    EvidenceRole: 'Impacted',
    DeviceId: deviceId,
    DeviceName: 'ws-finance-07.contoso.local',
    AdditionalFields: JSON.stringify({ Type: 'host', MachineId: deviceId, HostName: 'ws-finance-07', OSFamily: 'Windows' }),
  });
}

export function streamedProcess(
  alertId = STREAMED_ID,
  fields: Record<string, unknown> = {},
  columns: Record<string, unknown> = {},
): Record<string, unknown> {
  return record('AlertEvidence', {
    Timestamp: '2026-11-20T09:19:59Z',
    AlertId: alertId,
    EntityType: 'Process',
    EvidenceRole: 'Related',
    FileName: 'rundll32.exe',
    FolderPath: 'C:\\Windows\\System32',
    DeviceId: null,
    DeviceName: null,
    ProcessCommandLine: null,
    AdditionalFields: JSON.stringify({
      Type: 'process',
      ProcessId: '6324',
      CommandLine: 'rundll32.exe C:\\Windows\\System32\\comsvcs.dll, MiniDump 640 C:\\Temp\\l.dmp full',
      CreationTimeUtc: '2026-11-20T09:19:40.1234567Z',
      ParentProcess: { Type: 'process', ProcessId: '4410' },
      ImageFile: { Type: 'file', Name: 'rundll32.exe', Directory: 'C:\\Windows\\System32', Host: { Type: 'host', MachineId: FINANCE } },
      ...fields,
    }),
    ...columns,
  });
}
