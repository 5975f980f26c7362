import { DataPointType, MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { OpenTelemetryMetrics } from '../../shared/telemetry/openTelemetryMetrics.js';

/** One data point as a test reads it: a counter's total or a gauge's value, or a histogram's summary. */
export interface RecordedPoint {
  name: string;
  attributes: Record<string, unknown>;
  value?: number;
  histogram?: { count: number; sum: number; min?: number; max?: number };
}

/** A reader that collects only when asked (the SDK's pull path; nothing runs on a timer). */
export class CollectOnDemand extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** The metrics port over the OpenTelemetry SDK with an in-memory reader: what was recorded, as points (cumulative). */
export function recordedMetrics(): { metrics: OpenTelemetryMetrics; collect: () => Promise<RecordedPoint[]> } {
  const reader = new CollectOnDemand();
  const provider = new MeterProvider({ readers: [reader] });
  return {
    metrics: new OpenTelemetryMetrics(provider.getMeter('test')),
    collect: async () => {
      const { resourceMetrics, errors } = await reader.collect();
      if (errors.length > 0) throw new Error(`collection failed: ${errors.map(String).join('; ')}`);
      return pointsOf(resourceMetrics);
    },
  };
}

export function pointsOf(resourceMetrics: ResourceMetrics): RecordedPoint[] {
  return resourceMetrics.scopeMetrics.flatMap((scope) =>
    scope.metrics.flatMap((metric): RecordedPoint[] => {
      const name = metric.descriptor.name;
      if (metric.dataPointType === DataPointType.HISTOGRAM)
        return metric.dataPoints.map((p) => ({
          name,
          attributes: { ...p.attributes },
          histogram: { count: p.value.count, sum: p.value.sum ?? 0, min: p.value.min, max: p.value.max },
        }));
      if (metric.dataPointType === DataPointType.SUM || metric.dataPointType === DataPointType.GAUGE)
        return metric.dataPoints.map((p) => ({ name, attributes: { ...p.attributes }, value: p.value }));
      return [];
    }),
  );
}
