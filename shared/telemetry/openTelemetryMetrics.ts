import type { Attributes, Counter, Histogram, Meter, ObservableGauge } from '@opentelemetry/api';
import { INSTRUMENTS, type CounterKey, type GaugeKey, type HistogramKey, type InstrumentAttributes } from './instruments.js';
import type { GaugeReading, Metrics } from './metrics.js';

/** The meter's name: the instrumentation scope every instrument is created in. */
export const METER_NAME = 'mde-live-response-responder';

/**
 * The metrics port over an OpenTelemetry meter (the vendor-neutral API): one
 * instrument per entry of INSTRUMENTS, created once. Where the values go is
 * the meter provider's business: Azure Monitor in the Function App
 * (functions/main.ts), lines on stderr with `npm start -- --metrics`, an
 * in-memory reader in tests. Over the API's default provider (none
 * registered) every call is a no-op.
 */
export class OpenTelemetryMetrics implements Metrics {
  private readonly counters: Record<CounterKey, Counter>;
  private readonly histograms: Record<HistogramKey, Histogram>;
  private readonly gauges: Record<GaugeKey, ObservableGauge>;

  constructor(private readonly meter: Meter) {
    const options = (key: keyof typeof INSTRUMENTS): { description: string; unit: string } => ({
      description: INSTRUMENTS[key].description,
      unit: INSTRUMENTS[key].unit,
    });
    this.counters = {
      liveResponseCalls: meter.createCounter(INSTRUMENTS.liveResponseCalls.name, options('liveResponseCalls')),
      defenderThrottled: meter.createCounter(INSTRUMENTS.defenderThrottled.name, options('defenderThrottled')),
      evidenceBytes: meter.createCounter(INSTRUMENTS.evidenceBytes.name, options('evidenceBytes')),
      deadLetters: meter.createCounter(INSTRUMENTS.deadLetters.name, options('deadLetters')),
    };
    this.histograms = {
      pacingLag: meter.createHistogram(INSTRUMENTS.pacingLag.name, options('pacingLag')),
      queueAge: meter.createHistogram(INSTRUMENTS.queueAge.name, options('queueAge')),
      evidenceThroughput: meter.createHistogram(INSTRUMENTS.evidenceThroughput.name, options('evidenceThroughput')),
    };
    this.gauges = {
      sessionsInUse: meter.createObservableGauge(INSTRUMENTS.sessionsInUse.name, options('sessionsInUse')),
      statusBudgetLeft: meter.createObservableGauge(INSTRUMENTS.statusBudgetLeft.name, options('statusBudgetLeft')),
      waitingLineRuns: meter.createObservableGauge(INSTRUMENTS.waitingLineRuns.name, options('waitingLineRuns')),
      waitingLineDevices: meter.createObservableGauge(INSTRUMENTS.waitingLineDevices.name, options('waitingLineDevices')),
      owedNotifications: meter.createObservableGauge(INSTRUMENTS.owedNotifications.name, options('owedNotifications')),
      owedNotificationOldestAge: meter.createObservableGauge(
        INSTRUMENTS.owedNotificationOldestAge.name,
        options('owedNotificationOldestAge'),
      ),
    };
  }

  add<K extends CounterKey>(instrument: K, value: number, attributes: InstrumentAttributes[K]): void {
    this.counters[instrument].add(value, attributesOf(attributes));
  }

  record<K extends HistogramKey>(instrument: K, value: number, attributes: InstrumentAttributes[K]): void {
    this.histograms[instrument].record(value, attributesOf(attributes));
  }

  observeGauges(read: () => Promise<readonly GaugeReading[]>): void {
    this.meter.addBatchObservableCallback(async (result) => {
      for (const reading of await read()) result.observe(this.gauges[reading.instrument], reading.value, attributesOf(reading.attributes));
    }, Object.values(this.gauges));
  }
}

/** The typed attributes as OpenTelemetry's (every value a string). */
function attributesOf(attributes: Readonly<Record<string, string>>): Attributes {
  return { ...attributes };
}
