import type { Metrics } from '../../shared/telemetry/metrics.js';
import type { MetricsExport } from './metricsExport.js';

/**
 * Starts the Azure Monitor OpenTelemetry distro for the worker's own metrics
 * and returns the metrics port over its meter. Loaded only here, dynamically:
 * its exporter needs Node >= 22 (the Function App's runtime), and nothing the
 * tests import reaches this module.
 *
 * Only the responder's instruments are wanted: every automatic
 * instrumentation is off (the HTTP one would record result link URLs, which
 * carry their SAS token), and so are live metrics, standard metrics and
 * performance counters (the Functions host reports requests and the
 * process already). Telemetry goes with the app's user-assigned identity
 * (Monitoring Metrics Publisher): Application Insights' local auth is off,
 * so a key alone is refused. The export interval is the distro's (60 s;
 * OTEL_METRIC_EXPORT_INTERVAL changes it).
 */
export async function startAzureMonitor(plan: Extract<MetricsExport, { kind: 'azure-monitor' }>): Promise<Metrics> {
  const [{ useAzureMonitor }, { ManagedIdentityCredential }, { metrics }, { OpenTelemetryMetrics, METER_NAME }] = await Promise.all([
    import('@azure/monitor-opentelemetry'),
    import('@azure/identity'),
    import('@opentelemetry/api'),
    import('../../shared/telemetry/openTelemetryMetrics.js'),
  ]);
  const off = { enabled: false };
  useAzureMonitor({
    azureMonitorExporterOptions: {
      connectionString: plan.connectionString,
      credential: new ManagedIdentityCredential(plan.identityClientId === undefined ? {} : { clientId: plan.identityClientId }),
    },
    enableLiveMetrics: false,
    enableStandardMetrics: false,
    enablePerformanceCounters: false,
    instrumentationOptions: {
      http: off,
      azureSdk: off,
      mongoDb: off,
      mySql: off,
      postgreSql: off,
      redis: off,
      redis4: off,
      bunyan: off,
      winston: off,
      console: off,
    },
  });
  return new OpenTelemetryMetrics(metrics.getMeter(METER_NAME));
}
