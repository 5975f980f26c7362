/** What first response must reach (issue 16, goal 2). */
export const LATENCY_GOALS = { maxP95Ms: 1_000 } as const;

export interface AlertLatency {
  deviceId: string;
  /** Alert message sent -> runliveresponse POST recorded by the simulator. */
  totalMs: number;
  /** Alert message sent -> its handler completed (run recorded, submission queued). */
  toHandledMs?: number;
  /** Alert handled -> the POST (the submission's delivery, its slot, the call). */
  handledToPostMs?: number;
}

export interface LatencyResult {
  alerts: number;
  spacingMs: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  measured: AlertLatency[];
}

/** The nearest-rank percentile (0 < p <= 1) of `values`. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN;
}

export function formatLatencyReport(r: LatencyResult): string {
  const part = (pick: (m: AlertLatency) => number | undefined): string => {
    const values = r.measured.flatMap((m) => {
      const v = pick(m);
      return v === undefined ? [] : [v];
    });
    return `p50 ${percentile(values, 0.5)} ms, p95 ${percentile(values, 0.95)} ms`;
  };
  const met = r.p95Ms <= LATENCY_GOALS.maxP95Ms;
  return [
    `first response: ${r.alerts} alerts, ${r.spacingMs} ms apart, time x1 (alert sent -> runliveresponse POST at the simulator)`,
    `  alert sent -> handled:  ${part((m) => m.toHandledMs)}`,
    `  handled -> POST:        ${part((m) => m.handledToPostMs)}`,
    `  total:                  p50 ${r.p50Ms} ms, worst ${r.maxMs} ms`,
    '',
    `${met ? 'MET ' : 'MISS'}  p95 alert -> POST   ${r.p95Ms} ms   goal <= ${LATENCY_GOALS.maxP95Ms} ms`,
  ].join('\n');
}
