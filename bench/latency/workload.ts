import type { FleetInput } from '../../simulator/index.js';
import { deviceIdOf } from '../workload.js';

/**
 * The latency benchmark's fleet: one always-online Windows device per alert, and the triage script the
 * shipped triage-bundle playbook runs, short and with a small output (the benchmark ends at the POST).
 */
export function latencyFleet(devices: number): FleetInput {
  return {
    name: `latency-${devices}`,
    library: [{ fileName: 'Collect-Triage.ps1', content: '# triage', hasParameters: true }],
    scriptDefaults: {
      'Collect-Triage.ps1': {
        durationMs: 2_000,
        output: 'triage done',
        writes: [{ path: 'C:\\ProgramData\\MdeResponder\\Out\\{OutputName}.zip', content: 'triage of {OutputName}' }],
      },
    },
    devices: Array.from({ length: devices }, (_, i) => ({
      id: deviceIdOf(i),
      computerDnsName: `latency-${i}.contoso.local`,
      osPlatform: 'Windows11',
    })),
  };
}

/** A high-severity Defender API alert without process or file evidence: the shipped triage-bundle playbook answers it. */
export function latencyAlert(n: number, machineId: string): Record<string, unknown> {
  return {
    id: `da6388${String(n).padStart(14, '0')}_${String(2_000_000_000 + n)}`,
    severity: 'High',
    status: 'New',
    detectionSource: 'WindowsDefenderAtp',
    category: 'Discovery',
    title: 'Suspicious network discovery',
    alertCreationTime: '2026-11-20T09:00:00.0000000Z',
    lastUpdateTime: '2026-11-20T09:00:02.0000000Z',
    machineId,
    computerDnsName: `latency-${n}.contoso.local`,
    evidence: [],
  };
}
