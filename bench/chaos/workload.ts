import { existsSync, readFileSync } from 'node:fs';
import type { FleetInput } from '../../simulator/index.js';
import { deviceIdOf, offlineUntilOf, type WorkloadSpec } from '../workload.js';

/** Finds a folder of the repository whether run from source (bench/chaos/) or compiled (dist/bench/chaos/). */
function repositoryPath(fromSource: string, fromDist: string): string {
  return (
    [new URL(fromSource, import.meta.url), new URL(fromDist, import.meta.url)].map((u) => u.pathname).find((p) => existsSync(p)) ??
    fromSource
  );
}

/** The fault suite's playbooks: one answers every alert, one manual, one scheduled (bench/chaos/playbooks). */
export const CHAOS_PLAYBOOKS_DIR = repositoryPath('./playbooks', '../../../bench/chaos/playbooks');
const ALERT_FIXTURES_DIR = repositoryPath('../../test/fixtures/alerts', '../../../test/fixtures/alerts');

export const CHAOS_SCRIPT = 'Chaos-Triage.ps1';
/** The tag of the devices the scheduled playbook collects from. */
export const NIGHTLY_TAG = 'Chaos-Nightly';
export const HOSTS_PATH = 'C:\\Windows\\System32\\drivers\\etc\\hosts';

export interface ChaosWorkload {
  devices: number;
  /** Share of devices offline at the start; they come online at spread times up to `offlineUntilMaxMs`. */
  offlineShare: number;
  offlineUntilMaxMs: number;
  /** How long the triage script runs (simulated ms). */
  scriptMs: number;
  /** Size of the file the script writes, which the responder collects. */
  outputBytes: number;
  /** Every n-th device carries the nightly tag. */
  nightlyEvery: number;
}

/** The simulator fleet: the triage script writes a generated file (its SHA-256 known to the simulator); tagged devices hold a hosts file. */
export function chaosFleet(workload: ChaosWorkload): FleetInput {
  const spec: WorkloadSpec = { ...workload };
  return {
    name: `chaos-${workload.devices}`,
    description: 'Generated for the fault suite (npm run chaos)',
    seed: 11,
    // Another SOC tool of the tenant: its calls and sessions share the tenant's quota with ours (the stack sets quotaScope tenant).
    otherApps: [{ name: 'other-soc-tool', liveResponseCallsPerMinute: 1, sessionMs: 120_000 }],
    library: [{ fileName: CHAOS_SCRIPT, content: '# chaos triage', hasParameters: true }],
    scriptDefaults: {
      [CHAOS_SCRIPT]: {
        durationMs: workload.scriptMs,
        output: 'triage done',
        writes: [{ path: 'C:\\ProgramData\\MdeResponder\\Out\\{OutputName}.bin', generator: { sizeBytes: workload.outputBytes } }],
      },
    },
    devices: Array.from({ length: workload.devices }, (_, i) => {
      const offlineUntilMs = offlineUntilOf(spec, i);
      const nightly = i % workload.nightlyEvery === 0;
      return {
        id: deviceIdOf(i),
        computerDnsName: `chaos-${i}.contoso.local`,
        ...(nightly ? { tags: [NIGHTLY_TAG], files: { [HOSTS_PATH]: { content: `127.0.0.1 localhost # chaos-${i}\n` } } } : {}),
        ...(offlineUntilMs !== undefined ? { availability: { offlineUntilMs } } : {}),
      };
    }),
  };
}

export interface InjectedAlert {
  alertId: string;
  messageId: string;
  shape: AlertShape;
  deviceId: string;
  body: unknown;
}

export const ALERT_SHAPES = ['defender-api-alert', 'graph-alerts-v2', 'streaming-api-records'] as const;
export type AlertShape = (typeof ALERT_SHAPES)[number];

/** The fixtures' device, alert ids and device name, replaced in each generated alert. */
const FIXTURE_DEVICE_ID = '1e5bc9d7e413ddd7902c2932e418702b84d0cc07';
const FIXTURE_DEVICE_NAME = 'ws-finance-07.contoso.local';
const FIXTURE_ALERT_ID = /da6387000000000000\d\d_\d{10}/g;

/**
 * `count` alerts taking the three shapes in turn (test/fixtures/alerts), each
 * with its own alert id, on devices taken in turn from the fleet.
 */
export function chaosAlerts(count: number, devices: number): InjectedAlert[] {
  const templates = new Map(ALERT_SHAPES.map((shape) => [shape, readFileSync(`${ALERT_FIXTURES_DIR}/${shape}.json`, 'utf8')]));
  return Array.from({ length: count }, (_, n) => {
    const shape = ALERT_SHAPES[n % ALERT_SHAPES.length] ?? 'defender-api-alert';
    const device = n % devices;
    const alertId = `da6387${String(n).padStart(14, '0')}_${String(9_000_000_000 + n)}`;
    const text = (templates.get(shape) ?? '')
      .replaceAll(FIXTURE_DEVICE_ID, deviceIdOf(device))
      .replaceAll(FIXTURE_DEVICE_NAME, `chaos-${device}.contoso.local`)
      .replace(FIXTURE_ALERT_ID, alertId);
    return { alertId, messageId: `chaos-alert-${n}`, shape, deviceId: deviceIdOf(device), body: JSON.parse(text) as unknown };
  });
}
