import type { FleetInput } from '../../simulator/index.js';
import { latencyAlert } from '../latency/workload.js';
import { deviceIdOf } from '../workload.js';

/** The busy-devices workload: alerts in rounds, one per device a round, each answered by the shipped triage-bundle playbook. */
export interface BusySpec {
  devices: number;
  alertsPerDevice: number;
  /** How long the triage script runs on a device (simulated ms). */
  scriptMs: number;
}

const nameOf = (i: number): string => `busy-${i}.contoso.local`;

/** Always-online Windows devices and the triage script the triage-bundle playbook runs. */
export function busyFleet(spec: BusySpec): FleetInput {
  return {
    name: `busy-${spec.devices}`,
    library: [{ fileName: 'Collect-Triage.ps1', content: '# triage', hasParameters: true }],
    scriptDefaults: {
      'Collect-Triage.ps1': {
        durationMs: spec.scriptMs,
        output: 'triage done',
        writes: [{ path: 'C:\\ProgramData\\MdeResponder\\Out\\{OutputName}.zip', content: 'triage of {OutputName}' }],
      },
    },
    devices: Array.from({ length: spec.devices }, (_, i) => ({ id: deviceIdOf(i), computerDnsName: nameOf(i), osPlatform: 'Windows11' })),
  };
}

/** Every alert of the workload, round after round (device 0, 1, ... then again): distinct alert ids, so one run each. */
export function busyAlerts(spec: BusySpec): { body: unknown; messageId: string }[] {
  return Array.from({ length: spec.devices * spec.alertsPerDevice }, (_, n) => {
    const device = n % spec.devices;
    return { body: { ...latencyAlert(n, deviceIdOf(device)), computerDnsName: nameOf(device) }, messageId: `busy-alert-${n}` };
  });
}
