import type { Clock } from '../clock.js';
import type { OwedNotificationStore, OwedTally } from '../notify/owedStore.js';
import type { GaugeReading } from './metrics.js';

/** The gauges a tally of the owed notifications gives: how many (at most the cap counted), and how long the oldest has been owed while one is. Pure. */
export function owedGaugeReadings(tally: OwedTally, nowMs: number): GaugeReading[] {
  const readings: GaugeReading[] = [{ instrument: 'owedNotifications', value: tally.count, attributes: {} }];
  if (tally.oldestOwedSinceMs !== undefined)
    readings.push({ instrument: 'owedNotificationOldestAge', value: Math.max(0, nowMs - tally.oldestOwedSinceMs), attributes: {} });
  return readings;
}

/**
 * Counts the owed notifications (at most `countMax` records read, one column
 * each) and gives their gauges: a gauge reader, called once per export
 * interval. Tenant-wide, like the pacing gauges: chart the maximum.
 */
export function owedGaugeReader(
  store: Pick<OwedNotificationStore, 'tally'>,
  clock: Clock,
  countMax: number,
): () => Promise<GaugeReading[]> {
  return async () => owedGaugeReadings(await store.tally(countMax), clock.nowMs());
}
