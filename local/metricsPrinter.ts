import {
  AggregationTemporality,
  DataPointType,
  MeterProvider,
  PeriodicExportingMetricReader,
  type MetricData,
  type PushMetricExporter,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { METER_NAME, OpenTelemetryMetrics } from '../shared/telemetry/openTelemetryMetrics.js';
import type { Metrics } from '../shared/telemetry/metrics.js';

/**
 * `npm start -- --metrics`: the responder's metrics (the same instruments the
 * Function App sends to Application Insights) printed as a few readable lines
 * per interval, through the OpenTelemetry SDK with the exporter below.
 * Counters and histograms cover the interval just ended (delta); gauges are
 * read at its end.
 */
export function startMetricsPrinter(options: { intervalMs: number; write: (line: string) => void }): {
  metrics: Metrics;
  stop(): Promise<void>;
} {
  const reader = new PeriodicExportingMetricReader({
    exporter: new SummaryLinesExporter(options.write, options.intervalMs),
    exportIntervalMillis: options.intervalMs,
  });
  const provider = new MeterProvider({ readers: [reader] });
  return { metrics: new OpenTelemetryMetrics(provider.getMeter(METER_NAME)), stop: () => provider.shutdown() };
}

/** An exporter that writes summaryLines of each collection (delta temporality: each interval on its own). */
export class SummaryLinesExporter implements PushMetricExporter {
  constructor(
    private readonly write: (line: string) => void,
    private readonly intervalMs: number,
  ) {}

  export(metrics: ResourceMetrics, done: Parameters<PushMetricExporter['export']>[1]): void {
    for (const line of summaryLines(metrics, this.intervalMs)) this.write(line);
    done({ code: 0 });
  }

  selectAggregationTemporality(): AggregationTemporality {
    return AggregationTemporality.DELTA;
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * One collection as lines: a heading, then one line per instrument and
 * attribute set: a counter's total, a gauge's value, a histogram's count,
 * min, mean and max. Pure.
 */
export function summaryLines(metrics: ResourceMetrics, intervalMs: number): string[] {
  const lines = metrics.scopeMetrics.flatMap((scope) => scope.metrics.flatMap(metricLines));
  const heading = `metrics, last ${Math.round(intervalMs / 1000)} s:`;
  return lines.length === 0 ? [`${heading} nothing recorded`] : [heading, ...lines.sort()];
}

function metricLines(metric: MetricData): string[] {
  const { name, unit } = metric.descriptor;
  const shown = unit.startsWith('{') ? '' : ` ${unit}`;
  if (metric.dataPointType === DataPointType.HISTOGRAM) {
    return metric.dataPoints.map((point) => {
      const { count, sum, min, max } = point.value;
      const mean = count > 0 ? (sum ?? 0) / count : 0;
      return `  ${name}${labels(point.attributes)}  n=${count} min=${round(min ?? 0)} mean=${round(mean)} max=${round(max ?? 0)}${shown}`;
    });
  }
  if (metric.dataPointType === DataPointType.SUM || metric.dataPointType === DataPointType.GAUGE) {
    return metric.dataPoints.map((point) => `  ${name}${labels(point.attributes)}  ${round(point.value)}${shown}`);
  }
  return [];
}

function labels(attributes: Readonly<Record<string, unknown>>): string {
  const pairs = Object.entries(attributes).map(([key, value]) => `${key}=${String(value)}`);
  return pairs.length === 0 ? '' : ` ${pairs.join(' ')}`;
}

function round(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}
