import type { Clock } from '../shared/clock.js';
import type { ActionRecord } from './actionModel.js';
import { ActionStore } from './actions.js';
import { AlertStore } from './alerts.js';
import { nextOnlineAtMs } from './availability.js';
import { bytesSource } from './content.js';
import { DeviceState } from './devices.js';
import type { EndpointKey, SimulatorFaults } from './endpoints.js';
import type { ExecutionEnv } from './execution.js';
import type { Fleet } from './fleetSchema.js';
import { IdSource } from './ids.js';
import { LibraryStore } from './library.js';
import { placeOtherAppCall } from './otherAppCalls.js';
import { OtherApps } from './otherApps.js';
import { planCommand } from './plans.js';
import type { Budget } from './budgets.js';
import { SlidingWindowLimiter, type LimiterAdmission } from './rateLimits.js';
import type { SimulatorSettings } from './settings.js';
import { resolveStrictness, type Strictness } from './strictness.js';
import { StatsRecorder } from './stats.js';
import { valueFormat, type ValueFormat } from './valueFormats.js';

/**
 * Everything the simulated tenant holds: devices, library, actions, alerts,
 * limits and counters. Time comes only from the injected clock; `sync()`
 * reads it and advances every open action before a request is answered.
 */
export class SimulatorState {
  readonly settings: SimulatorSettings;
  /** The lenient-or-strict choices in force (the profile's values, overridden by any given one by one). */
  readonly strictness: Strictness;
  /** How timestamps, requestors, transcripts and links are written (strictness `valueFormats`). */
  readonly formats: ValueFormat;
  readonly startMs: number;
  readonly ids: IdSource;
  readonly devices = new Map<string, DeviceState>();
  readonly library = new LibraryStore();
  readonly alerts = new AlertStore();
  readonly limiter = new SlidingWindowLimiter();
  readonly stats: StatsRecorder;
  readonly actions: ActionStore;
  private readonly otherApps: OtherApps;
  private readonly portalSessions: readonly { deviceId: string; fromMs: number; untilMs: number }[];
  private faults: SimulatorFaults = {};
  private failuresLeft = 0;

  constructor(
    fleet: Fleet,
    private readonly clock: Clock,
    seed: number,
    faults: SimulatorFaults = {},
  ) {
    this.settings = fleet.options;
    this.strictness = resolveStrictness(fleet.options);
    this.startMs = clock.nowMs();
    this.ids = new IdSource(seed);
    this.formats = valueFormat(this.strictness.valueFormats, this.ids);
    this.stats = new StatsRecorder(this.startMs);
    for (const spec of fleet.devices) this.devices.set(spec.id, new DeviceState(spec, this.startMs, fleet.scriptDefaults));
    for (const f of fleet.library) {
      this.library.put({ ...f, source: bytesSource(f.content), lastUpdatedMs: this.startMs });
    }
    for (const alert of fleet.alerts) this.alerts.add(alert);
    this.portalSessions = fleet.portalSessions.map((s) => ({
      deviceId: s.deviceId,
      fromMs: this.startMs + s.fromMs,
      untilMs: this.startMs + s.untilMs,
    }));
    this.otherApps = new OtherApps(fleet.otherApps, this.settings, this.startMs);
    for (const app of fleet.otherApps) this.stats.otherApp(app.name);
    this.actions = new ActionStore((action) => this.envFor(action));
    this.setFaults(faults);
  }

  private envFor(action: ActionRecord): ExecutionEnv {
    const otherApp = action.otherApp === undefined ? undefined : this.otherApps.byName(action.otherApp);
    if (otherApp) return otherApp.env;
    const device = this.devices.get(action.machineId);
    if (!device) throw new Error(`action ${action.id} names unknown device ${action.machineId}`);
    return {
      settings: this.settings,
      nextOnlineAtMs: (atMs) => nextOnlineAtMs(device.intervals, atMs),
      plan: (command) =>
        planCommand({ actionId: action.id, device, library: this.library, settings: this.settings, formats: this.formats }, command),
      apply: (writes) => {
        for (const w of writes) device.files.set(w.path, w.source);
      },
    };
  }

  /** Reads the clock and brings the tenant up to it: other apps' calls due by then, in time order, and every open action. */
  sync(): number {
    const nowMs = this.clock.nowMs();
    for (const call of this.otherApps.dueCalls(nowMs)) {
      this.actions.advanceAll(call.atMs);
      placeOtherAppCall(this, call);
    }
    this.actions.advanceAll(nowMs);
    return nowMs;
  }

  nowMs(): number {
    return this.clock.nowMs();
  }

  /** By device id (case-insensitive) or, when `byName`, also by computer DNS name. */
  device(idOrName: string, byName = false): DeviceState | undefined {
    const direct = this.devices.get(idOrName.toLowerCase());
    if (direct || !byName) return direct;
    for (const d of this.devices.values()) if (d.spec.computerDnsName.toLowerCase() === idOrName.toLowerCase()) return d;
    return undefined;
  }

  /** An open live response action (any app's) or a portal session on the device. */
  deviceBusy(deviceId: string, nowMs: number): boolean {
    return this.actions.activeOnDevice(deviceId) !== undefined || this.portalSessionActive(deviceId, nowMs);
  }

  /** A portal live response session (seeded) covering the device now. */
  portalSessionActive(deviceId: string, nowMs: number): boolean {
    return this.portalSessions.some((s) => s.deviceId === deviceId && s.fromMs <= nowMs && nowMs < s.untilMs);
  }

  /** Admits a call on its budget (or refuses it), recording refused calls when they count (choice 23). */
  admit(budget: Budget, nowMs: number): LimiterAdmission {
    return this.limiter.admit(budget.key, budget.limits, nowMs, this.strictness.refusedCallsCount);
  }

  /** 429s go without Retry-After: the fault, or `retryAfter: absent` (choice 24). */
  get omitsRetryAfter(): boolean {
    return this.faults.omitRetryAfter === true || this.strictness.retryAfter === 'absent';
  }

  get currentFaults(): SimulatorFaults {
    return { ...this.faults, failNextRequests: this.failuresLeft };
  }

  setFaults(faults: SimulatorFaults): void {
    this.faults = { ...faults };
    this.failuresLeft = Math.max(0, Math.trunc(faults.failNextRequests ?? 0));
  }

  /** Consumes one injected 500 if one is due for this endpoint. */
  takeInjectedFailure(endpoint: EndpointKey): boolean {
    if (this.failuresLeft <= 0) return false;
    if (this.faults.failEndpoints && !this.faults.failEndpoints.includes(endpoint)) return false;
    this.failuresLeft -= 1;
    this.stats.injectedFailures += 1;
    return true;
  }
}
