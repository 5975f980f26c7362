import type { Clock } from '../clock.js';
import type { Pacer } from '../pacing/pacer.js';
import { pacingStatus, type PacingStatus } from '../pacing/pacingStatus.js';
import type { GaugeReading } from './metrics.js';

/** The gauges a pacing status gives: sessions in use, the status budget left in each window, the runs in waiting lines and their devices. Pure. */
export function pacingGaugeReadings(status: PacingStatus): GaugeReading[] {
  return [
    { instrument: 'sessionsInUse', value: status.sessions.inUse, attributes: {} },
    { instrument: 'statusBudgetLeft', value: status.statusBudget.lastMinute.left, attributes: { window: 'minute' } },
    { instrument: 'statusBudgetLeft', value: status.statusBudget.lastHour.left, attributes: { window: 'hour' } },
    { instrument: 'waitingLineRuns', value: status.waitingLines.waiters, attributes: {} },
    { instrument: 'waitingLineDevices', value: status.waitingLines.devices, attributes: {} },
  ];
}

/**
 * Reads the tenant-wide pacing record (one read, nothing written) and gives
 * its gauges: the metrics' gauge reader, called once per export interval.
 * Every instance reports the same tenant-wide values: chart their maximum,
 * not their sum.
 */
export function pacingGaugeReader(pacer: Pick<Pacer, 'snapshot' | 'limits'>, clock: Clock): () => Promise<GaugeReading[]> {
  return async () => pacingGaugeReadings(pacingStatus(await pacer.snapshot(), clock.nowMs(), pacer.limits));
}
