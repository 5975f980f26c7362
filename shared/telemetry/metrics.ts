import type { CounterKey, GaugeKey, HistogramKey, InstrumentAttributes } from './instruments.js';

/**
 * The metrics port: what the services record, by instrument (instruments.ts).
 * The OpenTelemetry adapter (openTelemetryMetrics.ts) is the one
 * implementation; a service given none (Deps.metrics unset: unit tests,
 * benchmarks) records nothing.
 */
export interface Metrics {
  /** Adds `value` to a counter. */
  add<K extends CounterKey>(instrument: K, value: number, attributes: InstrumentAttributes[K]): void;
  /** Records one value of a histogram. */
  record<K extends HistogramKey>(instrument: K, value: number, attributes: InstrumentAttributes[K]): void;
  /**
   * Registers the reader of the gauges, called once per collection (the
   * export interval), not per event. A rejection loses that collection's
   * readings only.
   */
  observeGauges(read: () => Promise<readonly GaugeReading[]>): void;
}

/** One gauge's value at a collection. */
export type GaugeReading = { [K in GaugeKey]: { instrument: K; value: number; attributes: InstrumentAttributes[K] } }[GaugeKey];
