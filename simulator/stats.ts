import { ACTION_STATUSES, isTerminal, type ActionStatus } from '../shared/defender/types.js';
import { MINUTE_MS } from '../shared/clock.js';
import type { ActionRecord } from './actionModel.js';
import type { EndpointKey } from './endpoints.js';

/** What one of the fleet's other apps did (its calls are made by the simulator, not over HTTP). */
export interface OtherAppStats {
  /** runliveresponse calls it made. */
  calls: number;
  /** Its calls answered 429 (rate limit or session limit). */
  throttled: number;
  sessionLimitRejections: number;
  /** Its calls refused because every device of its round was busy (400 ActiveRequestAlreadyExists). */
  activeRequestRejections: number;
  /** Sessions (actions) it opened. */
  actionsCreated: number;
}

/**
 * Counters a test or benchmark reads to judge how a client behaved. All but
 * `otherApps` count the HTTP callers alone: other apps' calls and actions
 * are under `otherApps`.
 */
export interface SimulatorStats {
  readonly startedAtMs: number;
  readonly nowMs: number;
  /** Requests per endpoint, whatever their outcome. */
  readonly calls: Partial<Record<EndpointKey, number>>;
  /** 429 answers per endpoint (rate limits and the session limit). */
  readonly throttled: Partial<Record<EndpointKey, number>>;
  readonly sessionLimitRejections: number;
  readonly activeRequestRejections: number;
  readonly injectedFailures: number;
  /** Most runliveresponse requests (admitted or not, all apps) within any 60 s. */
  readonly maxRunLiveResponseCallsIn60s: number;
  /** Most admitted (not 429) runliveresponse requests within any 60 s. */
  readonly maxAcceptedRunLiveResponseCallsIn60s: number;
  /** Most live response actions open (Pending or InProgress) at the same time. */
  readonly maxConcurrentSessions: number;
  readonly actionsCreated: number;
  /** Current status of every action created. */
  readonly actionsByStatus: Readonly<Record<ActionStatus, number>>;
  readonly downloadLinksMinted: number;
  readonly downloadsServed: number;
  /** Downloads refused (expired or tampered link, unknown blob). */
  readonly downloadsRefused: number;
  /** Original (uncompressed) bytes of GetFile results and transcript bytes served. */
  readonly bytesServed: number;
  /** Per other app of the fleet (`otherApps[].name`). */
  readonly otherApps: Readonly<Record<string, Readonly<OtherAppStats>>>;
}

/** The most events within any window of `windowMs` (events arrive in time order). */
export class WindowPeak {
  private stamps: number[] = [];
  peak = 0;
  constructor(private readonly windowMs: number) {}
  add(atMs: number): void {
    this.stamps = this.stamps.filter((t) => t > atMs - this.windowMs);
    this.stamps.push(atMs);
    this.peak = Math.max(this.peak, this.stamps.length);
  }
}

function maxOverlap(actions: readonly ActionRecord[]): number {
  const events: [number, number][] = [];
  for (const a of actions) {
    events.push([a.createdMs, 1]);
    if (isTerminal(a.status) && a.terminalMs !== undefined) events.push([a.terminalMs, -1]);
  }
  events.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  let open = 0;
  let peak = 0;
  for (const [, delta] of events) {
    open += delta;
    peak = Math.max(peak, open);
  }
  return peak;
}

export class StatsRecorder {
  readonly calls = new Map<EndpointKey, number>();
  readonly throttled = new Map<EndpointKey, number>();
  sessionLimitRejections = 0;
  activeRequestRejections = 0;
  injectedFailures = 0;
  downloadLinksMinted = 0;
  downloadsServed = 0;
  downloadsRefused = 0;
  bytesServed = 0;
  readonly liveResponseAttempts = new WindowPeak(MINUTE_MS);
  readonly liveResponseAccepted = new WindowPeak(MINUTE_MS);
  private readonly otherApps = new Map<string, OtherAppStats>();

  constructor(private readonly startedAtMs: number) {}

  call(key: EndpointKey): void {
    this.calls.set(key, (this.calls.get(key) ?? 0) + 1);
  }

  throttle(key: EndpointKey): void {
    this.throttled.set(key, (this.throttled.get(key) ?? 0) + 1);
  }

  /** The counters of one other app (zeroed the first time). */
  otherApp(name: string): OtherAppStats {
    let counters = this.otherApps.get(name);
    if (!counters) {
      counters = { calls: 0, throttled: 0, sessionLimitRejections: 0, activeRequestRejections: 0, actionsCreated: 0 };
      this.otherApps.set(name, counters);
    }
    return counters;
  }

  snapshot(allActions: readonly ActionRecord[], nowMs: number): SimulatorStats {
    const actions = allActions.filter((a) => a.otherApp === undefined);
    const byStatus = Object.fromEntries(ACTION_STATUSES.map((s) => [s, 0])) as Record<ActionStatus, number>;
    for (const a of actions) byStatus[a.status] += 1;
    return {
      startedAtMs: this.startedAtMs,
      nowMs,
      calls: Object.fromEntries(this.calls),
      throttled: Object.fromEntries(this.throttled),
      sessionLimitRejections: this.sessionLimitRejections,
      activeRequestRejections: this.activeRequestRejections,
      injectedFailures: this.injectedFailures,
      maxRunLiveResponseCallsIn60s: this.liveResponseAttempts.peak,
      maxAcceptedRunLiveResponseCallsIn60s: this.liveResponseAccepted.peak,
      maxConcurrentSessions: maxOverlap(actions),
      actionsCreated: actions.length,
      actionsByStatus: byStatus,
      downloadLinksMinted: this.downloadLinksMinted,
      downloadsServed: this.downloadsServed,
      downloadsRefused: this.downloadsRefused,
      bytesServed: this.bytesServed,
      otherApps: Object.fromEntries([...this.otherApps].map(([name, counters]) => [name, { ...counters }])),
    };
  }
}
