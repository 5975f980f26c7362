import type { Config } from '../../shared/config.js';

/** Where the Function App's own metrics go: Application Insights, or nowhere and why. */
export type MetricsExport = { kind: 'azure-monitor'; connectionString: string; identityClientId?: string } | { kind: 'off'; why: string };

/**
 * Decides, from the settings alone, whether the Function App starts the
 * Azure Monitor OpenTelemetry distro (functions/lib/azureMonitor.ts): only
 * with metrics enabled and Application Insights' connection string set.
 * Pure, so it can be tested without loading the distro (Node >= 22).
 */
export function metricsExportOf(metrics: Readonly<Config['metrics']>): MetricsExport {
  if (!metrics.enabled) return { kind: 'off', why: 'METRICS_ENABLED is false' };
  if (metrics.connectionString === undefined) return { kind: 'off', why: 'APPLICATIONINSIGHTS_CONNECTION_STRING is not set' };
  return {
    kind: 'azure-monitor',
    connectionString: metrics.connectionString,
    ...(metrics.identityClientId === undefined ? {} : { identityClientId: metrics.identityClientId }),
  };
}
