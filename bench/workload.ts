import { existsSync } from 'node:fs';
import type { FleetInput } from '../simulator/index.js';

/** bench/playbooks, whether run from source (bench/) or compiled (dist/bench/). */
export const BENCH_PLAYBOOKS_DIR =
  [new URL('./playbooks', import.meta.url), new URL('../../bench/playbooks', import.meta.url)]
    .map((u) => u.pathname)
    .find((p) => existsSync(p)) ?? 'bench/playbooks';

export interface WorkloadSpec {
  devices: number;
  /** Share of devices offline at the start (0..1). */
  offlineShare: number;
  /** Offline devices come online at evenly spread times up to this (simulated ms after start). */
  offlineUntilMaxMs: number;
  /** How long the script runs on a device (simulated ms). */
  scriptMs: number;
  /** Devices with a portal session (not visible to the API) at the start, and how long it lasts. */
  portalSessions?: { count: number; untilMs: number };
}

export const deviceIdOf = (n: number): string => `b${n.toString(16).padStart(39, '0')}`;

/** Every few devices is offline for a while; which ones is fixed (deterministic). */
export function offlineUntilOf(spec: WorkloadSpec, index: number): number | undefined {
  const everyNth = spec.offlineShare > 0 ? Math.round(1 / spec.offlineShare) : 0;
  if (everyNth === 0 || index % everyNth !== everyNth - 1) return undefined;
  const offlineCount = Math.floor(spec.devices / everyNth);
  const rank = Math.floor(index / everyNth);
  return Math.round(((rank + 1) / Math.max(1, offlineCount)) * spec.offlineUntilMaxMs);
}

/** A simulator fleet for the pacing workload: one short script that writes a small file. */
export function workloadFleet(spec: WorkloadSpec): FleetInput {
  return {
    name: `pacing-${spec.devices}`,
    description: 'Generated for the pacing benchmark and the scale-out tests',
    seed: 7,
    library: [{ fileName: 'Quick-Triage.ps1', content: '# triage', hasParameters: true }],
    scriptDefaults: {
      'Quick-Triage.ps1': {
        durationMs: spec.scriptMs,
        output: 'triage done',
        writes: [{ path: 'C:\\ProgramData\\MdeResponder\\Out\\{OutputName}.txt', content: 'triage of {OutputName}' }],
      },
    },
    devices: Array.from({ length: spec.devices }, (_, i) => {
      const offlineUntilMs = offlineUntilOf(spec, i);
      return {
        id: deviceIdOf(i),
        computerDnsName: `bench-${i}.contoso.local`,
        ...(offlineUntilMs !== undefined ? { availability: { offlineUntilMs } } : {}),
      };
    }),
    portalSessions: Array.from({ length: spec.portalSessions?.count ?? 0 }, (_, i) => ({
      deviceId: deviceIdOf(i * 3),
      fromMs: 0,
      untilMs: spec.portalSessions?.untilMs ?? 0,
    })),
  };
}

/** The responder's settings for a benchmark on a local Azurite and simulator (storage queues, loopback Defender). */
export function localBenchSettings(storageConnectionString: string, simulatorUrl: string): Record<string, string> {
  return {
    STORAGE_CONNECTION_STRING: storageConnectionString,
    BUS_KIND: 'storage-queues',
    DEFENDER_API_BASE_URL: simulatorUrl,
    DEFENDER_ALLOW_HTTP_LOOPBACK: 'true',
  };
}
