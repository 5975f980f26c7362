/**
 * Time, injected. Every timestamp in the domain is epoch milliseconds from a
 * {@link Clock}; names carry their unit (`notBeforeMs`, `retryAfterMs`).
 */
export interface Clock {
  /** Epoch milliseconds, "now" in the clock's own time line. */
  nowMs(): number;
}

/** The wall clock. */
export const systemClock: Clock = { nowMs: () => Date.now() };

/**
 * A clock that runs `scale` times faster than the wall clock from a fixed
 * origin. Local demos and benchmarks drive both the simulator and the
 * responder's limits with one scaled clock, so "10 calls a minute" means ten
 * calls per scaled minute.
 */
export class ScaledClock implements Clock {
  readonly scale: number;
  /** The wall instant at which the clock read {@link originVirtualMs}. */
  readonly originWallMs: number;
  readonly originVirtualMs: number;
  private readonly wall: Clock;

  /**
   * `startMs` is the clock's reading at the wall instant `originWallMs`
   * (default: now). Processes given the same scale, start and origin read
   * the same time: a parent passes them to the workers it starts.
   */
  constructor(options: { scale: number; startMs?: number; originWallMs?: number; wall?: Clock }) {
    if (!(options.scale > 0) || !Number.isFinite(options.scale)) {
      throw new RangeError(`time scale must be a positive finite number, got ${options.scale}`);
    }
    this.scale = options.scale;
    this.wall = options.wall ?? systemClock;
    this.originWallMs = options.originWallMs ?? this.wall.nowMs();
    this.originVirtualMs = options.startMs ?? this.originWallMs;
  }

  nowMs(): number {
    return this.originVirtualMs + (this.wall.nowMs() - this.originWallMs) * this.scale;
  }

  /** How many wall-clock milliseconds a span of this clock's time takes. */
  toWallMs(virtualMs: number): number {
    return virtualMs / this.scale;
  }
}

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  constructor(private current: number = Date.UTC(2026, 10, 20, 9, 0, 0)) {}
  nowMs(): number {
    return this.current;
  }
  advance(ms: number): void {
    if (ms < 0) throw new RangeError('a clock never goes back');
    this.current += ms;
  }
  set(ms: number): void {
    this.current = ms;
  }
}

/** Converts a span of clock time to the wall-clock delay a scheduler must wait. */
export type WallDelay = (clockMs: number) => number;

export const unscaled: WallDelay = (ms) => ms;

export function wallDelayFor(clock: Clock): WallDelay {
  return clock instanceof ScaledClock ? (ms) => clock.toWallMs(ms) : unscaled;
}

/** Waits, on the wall clock, until `clock` reads `atMs` (scaled clocks wait proportionally less). */
export function waiterFor(clock: Clock): (atMs: number) => Promise<void> {
  const wallDelay = wallDelayFor(clock);
  return (atMs) => {
    const aheadMs = atMs - clock.nowMs();
    return aheadMs > 0 ? new Promise((resolve) => setTimeout(resolve, wallDelay(aheadMs))) : Promise.resolve();
  };
}

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
