import { MINUTE_MS } from '../shared/clock.js';
import type { QuotaOwner } from './budgets.js';
import type { ExecutionEnv } from './execution.js';
import type { OtherAppSpec } from './fleetSchema.js';
import { guidFromName } from './ids.js';
import type { SimulatorSettings } from './settings.js';

/**
 * The fleet's other apps (choice 26): applications of the tenant that call
 * runliveresponse on their own schedule. Nothing runs in the background:
 * `dueCalls` hands out, in time order, every call due by the clock's
 * reading, and the state places each one (otherAppCalls.ts) before it
 * answers a request.
 */
export interface OtherApp {
  readonly spec: OtherAppSpec;
  readonly owner: QuotaOwner;
  /** How its sessions move: open for `sessionMs`, whatever the device. */
  readonly env: ExecutionEnv;
  /** Index of its next call. */
  nextCall: number;
  /** Where its round of `deviceIds` goes on. */
  nextDevice: number;
}

export interface OtherAppCall {
  readonly app: OtherApp;
  readonly atMs: number;
}

/** When an app makes its k-th call (k from 0): calls evenly spaced from `fromMs`; undefined at or after `untilMs`. */
export function otherAppCallMs(
  app: Pick<OtherAppSpec, 'liveResponseCallsPerMinute' | 'fromMs' | 'untilMs'>,
  k: number,
  startMs: number,
): number | undefined {
  const offsetMs = app.fromMs + Math.floor((k * MINUTE_MS) / app.liveResponseCallsPerMinute);
  return app.untilMs !== undefined && offsetMs >= app.untilMs ? undefined : startMs + offsetMs;
}

/**
 * A session of another app: `InProgress` ones are picked up at once and their
 * one command runs `sessionMs` (then Succeeded); `Pending` ones are never
 * picked up and end TimeOut after `sessionMs`.
 */
export function otherAppSessionEnv(spec: Pick<OtherAppSpec, 'sessionMs' | 'sessionStatus'>, settings: SimulatorSettings): ExecutionEnv {
  const pending = spec.sessionStatus === 'Pending';
  return {
    settings: { ...settings, pickupDelayMs: 0, offlineQueueMs: spec.sessionMs },
    nextOnlineAtMs: (atMs) => (pending ? undefined : atMs),
    plan: () => ({ ok: true, durationMs: spec.sessionMs, writes: [] }),
    apply: () => undefined,
  };
}

export class OtherApps {
  private readonly apps: readonly OtherApp[];

  constructor(
    specs: readonly OtherAppSpec[],
    settings: SimulatorSettings,
    private readonly startMs: number,
  ) {
    this.apps = specs.map((spec) => ({
      spec,
      owner: { appId: spec.appId ?? guidFromName(spec.name), tenantId: spec.tenantId },
      env: otherAppSessionEnv(spec, settings),
      nextCall: 0,
      nextDevice: 0,
    }));
  }

  byName(name: string): OtherApp | undefined {
    return this.apps.find((a) => a.spec.name === name);
  }

  /** Every call due at or before `nowMs` and not handed out yet, in time order (ties in fleet order). */
  *dueCalls(nowMs: number): Generator<OtherAppCall> {
    for (;;) {
      let next: OtherAppCall | undefined;
      for (const app of this.apps) {
        const atMs = otherAppCallMs(app.spec, app.nextCall, this.startMs);
        if (atMs !== undefined && atMs <= nowMs && (next === undefined || atMs < next.atMs)) next = { app, atMs };
      }
      if (!next) return;
      next.app.nextCall += 1;
      yield next;
    }
  }
}
