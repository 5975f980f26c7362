import type { Clock } from '../../../shared/clock.js';
import { DEFENDER_SCOPE, type TokenProvider } from '../../../shared/defender/port.js';
import { collectFileFromDevice, type DeviceFlowDeps, type DeviceOutcome } from './invokeGetFile.js';
import { MEAN_JITTER_SECONDS } from './retrySchedule.js';

/** `-ThrottleLimit` of MDEOrchestrator's `ForEach-Object -Parallel` (function/MDEOrchestrator/run.ps1): per invocation, nothing shared. */
export const THROTTLE_LIMIT = 10;
/** The Function App's `functionAppScaleLimit` (IaC/MDEAutomator.bicep): at most this many instances. */
export const MAX_INSTANCES = 10;
/** Azure's load balancer answers an HTTP trigger's caller with an error after this long; the function runs on (`functionTimeout: -1`). */
export const HTTP_CALLER_CUTOFF_MS = 230_000;

export interface InvocationResult {
  devices: number;
  startedMs: number;
  endedMs: number;
  /** Whether its HTTP caller got the results (it ended within 230 s); if not, they are lost, the work is not. */
  answeredCaller: boolean;
}

export interface PeerRunResult {
  devices: DeviceOutcome[];
  invocations: InvocationResult[];
}

export interface PeerRunOptions {
  /** The API origin (the simulator's url). */
  baseUrl: string;
  clock: Clock;
  /** Waits on the injected clock. */
  sleep: (ms: number) => Promise<void>;
  credential: TokenProvider;
  deviceIds: readonly string[];
  /** The file InvokeGetFile collects from every device. */
  filePath: string;
  /** How many HTTP requests (invocations) the devices are sent in, each on its own instance, 1 to {@link MAX_INSTANCES}. */
  invocations: number;
  fetch?: typeof fetch;
  jitterSeconds?: () => number;
}

/**
 * MDEAutomator's MDEOrchestrator `InvokeGetFile`, called `invocations` times
 * at once with a share of the devices each (as several operators or an
 * automation would; its web app sends one request per selection). Each
 * invocation takes one token and runs its devices 10 at a time; the
 * invocations share no limit.
 */
export async function runMdeAutomator(options: PeerRunOptions): Promise<PeerRunResult> {
  const groups = splitIntoInvocations(options.deviceIds, options.invocations);
  const runs = await Promise.all(groups.map((group) => runInvocation(options, group)));
  return { devices: runs.flatMap((r) => r.devices), invocations: runs.map((r) => r.invocation) };
}

/** Devices in `count` contiguous groups as even as they go (no empty group). */
export function splitIntoInvocations(deviceIds: readonly string[], count: number): string[][] {
  if (!Number.isInteger(count) || count < 1 || count > MAX_INSTANCES)
    throw new RangeError(`invocations: expected 1 to ${MAX_INSTANCES}, got ${count}`);
  const groups = Math.min(count, deviceIds.length);
  return Array.from({ length: groups }, (_, g) =>
    deviceIds.slice(Math.floor((g * deviceIds.length) / groups), Math.floor(((g + 1) * deviceIds.length) / groups)),
  );
}

async function runInvocation(
  options: PeerRunOptions,
  deviceIds: string[],
): Promise<{ devices: DeviceOutcome[]; invocation: InvocationResult }> {
  const startedMs = options.clock.nowMs();
  // Connect-MDE once, at the top of run.ps1; every parallel block gets that token ($using:token).
  const token = (await options.credential.getToken(DEFENDER_SCOPE))?.token;
  if (!token) throw new Error('MDEAutomator model: the credential gave no token');
  const deps: DeviceFlowDeps = {
    http: { fetch: options.fetch ?? fetch, baseUrl: options.baseUrl, token },
    clock: options.clock,
    sleep: options.sleep,
    jitterSeconds: options.jitterSeconds ?? (() => MEAN_JITTER_SECONDS),
  };
  const devices = await forEachParallel(deviceIds, THROTTLE_LIMIT, (id) => collectFileFromDevice(deps, id, options.filePath));
  const endedMs = options.clock.nowMs();
  return {
    devices,
    invocation: { devices: deviceIds.length, startedMs, endedMs, answeredCaller: endedMs - startedMs <= HTTP_CALLER_CUTOFF_MS },
  };
}

/** `ForEach-Object -Parallel -ThrottleLimit n`: at most n at once, the next item starting as one ends; results in input order. */
export async function forEachParallel<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) results[i] = await work(items[i] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}
