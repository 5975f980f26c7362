import type { Clock } from '../shared/clock.js';
import { sha256Of, sizeOf } from './content.js';
import type { SimulatorFaults } from './endpoints.js';
import { parseFleet, type Fleet } from './fleet.js';
import { close, listen } from './server.js';
import type { SimulatorSettingsInput } from './settings.js';
import { SimulatorState } from './state.js';
import type { SimulatorStats } from './stats.js';
import type { Profile, Strictness } from './strictness.js';

/**
 * A LOCAL SIMULATOR of the Microsoft Defender for Endpoint API (live
 * response, machine actions, library, machines, alerts) — not Microsoft
 * Defender. Every response carries `x-simulator`. See README.md.
 */
export { loadFleet, parseFleet, FleetError } from './fleet.js';
export type { Fleet, FleetInput } from './fleet.js';
export {
  SimulatorCredential,
  SIMULATOR_APP_DISPLAY_NAME,
  SIMULATOR_DEFAULT_ROLES,
  SIMULATOR_DEFAULT_TENANT_ID,
  type SimulatorCredentialOptions,
} from './credential.js';
export { ENDPOINT_KEYS, type EndpointKey, type SimulatorFaults } from './endpoints.js';
export type { OtherAppStats, SimulatorStats } from './stats.js';
export type { SimulatorSettings, SimulatorSettingsInput } from './settings.js';
export { PROFILES, STRICTNESS, STRICTNESS_NAMES, type Profile, type Strictness } from './strictness.js';
export { SIMULATOR_HEADER, SIMULATOR_HEADER_VALUE } from './http.js';

export interface SimulatorOptions {
  fleet: Fleet;
  /** The only source of time for simulated behaviour (ManualClock in tests, ScaledClock in demos). */
  clock: Clock;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: the OS picks a free port. */
  port?: number;
  /** Seed of ids and link keys (default: the fleet's `seed`). */
  seed?: number;
  faults?: SimulatorFaults;
  /** Overrides of the fleet's `options` (limits, time-outs, durations). */
  settings?: SimulatorSettingsInput;
}

export interface RunningSimulator {
  /** e.g. http://127.0.0.1:43123 — the API is under `${url}/api/...`. */
  readonly url: string;
  close(): Promise<void>;
  stats(): SimulatorStats;
  /** SHA-256 and size of a file as it is on the device now (fleet files and files scripts wrote). */
  sourceFile(deviceId: string, path: string): { sha256: string; sizeBytes: number } | undefined;
  /** Makes an alert visible to GET /api/alerts (an object with a string `id`; same id replaces). */
  addAlert(alert: unknown): void;
  /** The strictness profile (README "Strictness") ... */
  readonly profile: Profile;
  /** ... and the lenient-or-strict choices in force (the profile's, overridden one by one). */
  readonly strictness: Strictness;
  /** Replaces the active faults. */
  setFaults(faults: SimulatorFaults): void;
}

/** Starts a simulator on loopback. Its start time is the clock's reading now; fleet offsets count from it. */
export async function startSimulator(options: SimulatorOptions): Promise<RunningSimulator> {
  const fleet = parseFleet(
    options.settings ? { ...options.fleet, options: { ...options.fleet.options, ...options.settings } } : options.fleet,
    'SimulatorOptions.fleet',
  );
  const state = new SimulatorState(fleet, options.clock, options.seed ?? fleet.seed, options.faults);
  const { server, url } = await listen(state, options.host ?? '127.0.0.1', options.port ?? 0);
  return {
    url,
    profile: state.settings.profile,
    strictness: state.strictness,
    close: () => close(server),
    stats: () => {
      const nowMs = state.sync();
      return state.stats.snapshot(state.actions.all(), nowMs);
    },
    sourceFile: (deviceId, path) => {
      state.sync();
      const source = state.device(deviceId)?.files.get(path);
      return source ? { sha256: sha256Of(source), sizeBytes: sizeOf(source) } : undefined;
    },
    addAlert: (alert) => state.alerts.add(alert),
    setFaults: (faults) => state.setFaults(faults),
  };
}
