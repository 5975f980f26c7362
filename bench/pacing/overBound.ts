/**
 * Where a run's time beyond the quota's lower bound went, from the creation
 * times of its actions (each one a runliveresponse call Defender admitted):
 *
 *   makespan = first call + call span + tail
 *   bound    =      0     + quota span + one action's time
 *
 * so, when the call rate is what bounds the run (lowerBoundMs's rate term),
 * makespan - bound = first call + (call span - quota span) + (tail - action
 * time). The quota span of n calls is floor((n - 1) / calls per window)
 * windows; the pacer's safety margin adds its margin to each of them.
 */
export interface TimeOverBound {
  calls: number;
  /** The quota: calls per window. */
  callsPerWindow: number;
  /** The run's start to its first admitted call. */
  firstCallMs: number;
  /** First call to last, beyond what the quota needs for that many calls. */
  spanOverQuotaMs: number;
  /** The part of spanOverQuotaMs the safety margin accounts for: the margin once per full window. */
  marginMs: number;
  /** The last call to the run's end, beyond one action's own time. */
  tailOverActionMs: number;
  /**
   * Where the calls fell short: each span of the quota's window plus margin
   * from the first call (the pace the pacer keeps), but the last, that held
   * fewer calls than the quota allows, with how many it held.
   */
  shortWindows: { index: number; calls: number }[];
  /**
   * How late each call came after the pace allowed it (the call a quota
   * before it, plus the window and margin), from the quota's first full
   * window on: a steady drift (every call a little late: latency recorded
   * into each window) or a few stalls (calls missing for a while). Their sum
   * divided by the quota is about spanOverQuotaMs less the margin.
   */
  lateness: { p50Ms: number; p90Ms: number; maxMs: number; stalls: number; stallsShare: number };
}

/** A call later than this after the pace allowed it counts as a stall. */
export const STALL_MS = 5_000;

export function timeOverBound(
  createdMs: readonly number[],
  run: { startMs: number; endMs: number },
  quota: { callsPerWindow: number; windowMs: number; safetyMarginMs: number },
  actionMs: number,
): TimeOverBound | undefined {
  if (createdMs.length === 0) return undefined;
  const sorted = [...createdMs].sort((a, b) => a - b);
  const first = sorted[0] ?? run.startMs;
  const last = sorted[sorted.length - 1] ?? first;
  const windows = Math.floor((sorted.length - 1) / quota.callsPerWindow);
  const spanMs = quota.windowMs + quota.safetyMarginMs;
  const perWindow = new Map<number, number>();
  for (const t of sorted) {
    const index = Math.floor((t - first) / spanMs);
    perWindow.set(index, (perWindow.get(index) ?? 0) + 1);
  }
  const lastWindow = Math.floor((last - first) / spanMs);
  const shortWindows = Array.from({ length: lastWindow }, (_, index) => ({ index, calls: perWindow.get(index) ?? 0 })).filter(
    (w) => w.calls < quota.callsPerWindow,
  );
  return {
    calls: sorted.length,
    callsPerWindow: quota.callsPerWindow,
    firstCallMs: first - run.startMs,
    spanOverQuotaMs: last - first - windows * quota.windowMs,
    marginMs: windows * quota.safetyMarginMs,
    tailOverActionMs: run.endMs - last - actionMs,
    shortWindows,
    lateness: latenessOf(sorted, quota.callsPerWindow, spanMs),
  };
}

function latenessOf(sorted: readonly number[], callsPerWindow: number, spanMs: number): TimeOverBound['lateness'] {
  const late = sorted.slice(callsPerWindow).map((t, i) => Math.max(0, t - (sorted[i] ?? t) - spanMs));
  const ranked = [...late].sort((a, b) => a - b);
  const at = (q: number): number => ranked[Math.min(ranked.length - 1, Math.floor(q * ranked.length))] ?? 0;
  const total = late.reduce((sum, ms) => sum + ms, 0);
  const stalled = late.filter((ms) => ms > STALL_MS);
  return {
    p50Ms: at(0.5),
    p90Ms: at(0.9),
    maxMs: ranked[ranked.length - 1] ?? 0,
    stalls: stalled.length,
    stallsShare: total > 0 ? stalled.reduce((sum, ms) => sum + ms, 0) / total : 0,
  };
}

export function formatTimeOverBound(t: TimeOverBound): string {
  const s = (ms: number): string => `${(ms / 1000).toFixed(0)} s`;
  return (
    `over the bound: first call after ${s(t.firstCallMs)}; ${t.calls} calls spread ${s(t.spanOverQuotaMs)} beyond the quota's pace ` +
    `(the safety margin: ${s(t.marginMs)}); the last action ended ${s(t.tailOverActionMs)} after one action's time; ` +
    `${shortOnes(t)}; ${describeLateness(t)}`
  );
}

function describeLateness(t: TimeOverBound): string {
  const l = t.lateness;
  const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
  return (
    `each call came after the pace allowed it by ${s(l.p50Ms)} (median), ${s(l.p90Ms)} (p90), ${s(l.maxMs)} (most); ` +
    `${l.stalls} stalls over ${STALL_MS / 1000} s made ${Math.round(l.stallsShare * 100)}% of that`
  );
}

/** The windows short of the quota, the worst first (at most five named). */
function shortOnes(t: TimeOverBound): string {
  if (t.shortWindows.length === 0) return 'every window held the quota';
  const missing = t.shortWindows.reduce((n, w) => n + t.callsPerWindow - w.calls, 0);
  const worst = [...t.shortWindows].sort((a, b) => a.calls - b.calls || a.index - b.index).slice(0, 5);
  return `${t.shortWindows.length} windows short of the quota by ${missing} calls in all (worst: ${worst.map((w) => `#${w.index} ${w.calls}`).join(', ')})`;
}
