import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { summaryLines } from '../../../local/metricsPrinter.js';
import { OpenTelemetryMetrics } from '../../../shared/telemetry/openTelemetryMetrics.js';
import { CollectOnDemand } from '../../helpers/recordedMetrics.js';

async function printed(record: (metrics: OpenTelemetryMetrics) => void): Promise<string[]> {
  const reader = new CollectOnDemand();
  const metrics = new OpenTelemetryMetrics(new MeterProvider({ readers: [reader] }).getMeter('test'));
  record(metrics);
  return summaryLines((await reader.collect()).resourceMetrics, 10_000);
}

describe('npm start --metrics', () => {
  it('prints each instrument as one readable line: counters their total, histograms count, min, mean and max with the unit', async () => {
    const lines = await printed((metrics) => {
      metrics.add('defenderThrottled', 1, { call: 'get machine' });
      metrics.add('defenderThrottled', 1, { call: 'get machine' });
      metrics.record('queueAge', 100, { queue: 'actions' });
      metrics.record('queueAge', 300, { queue: 'actions' });
      metrics.add('evidenceBytes', 4_096, {});
    });

    expect(lines).toEqual([
      'metrics, last 10 s:',
      '  responder.defender.throttled call=get machine  2',
      '  responder.evidence.bytes  4096 By',
      '  responder.queue.age queue=actions  n=2 min=100 mean=200 max=300 ms',
    ]);
  });

  it('says when nothing was recorded', async () => {
    expect(await printed(() => undefined)).toEqual(['metrics, last 10 s: nothing recorded']);
  });
});
