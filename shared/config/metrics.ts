import { z } from 'zod';
import { bool, type SettingsOf } from './values.js';

/** The responder's own metrics (shared/telemetry/instruments.ts). */
export const metricsSettings = {
  /** `false`: the Function App exports no metrics of its own, even with Application Insights configured. */
  METRICS_ENABLED: bool.default(true),
  /** Application Insights (set by infra/); unset: the Function App exports no metrics of its own. */
  APPLICATIONINSIGHTS_CONNECTION_STRING: z.string().min(1).optional(),
  /** Client id of the app's user-assigned identity: metrics are sent with its token (Application Insights' local auth is off). */
  AZURE_CLIENT_ID: z.string().min(1).optional(),
};

/** Exported to Application Insights when enabled and a connection string is set (functions/lib/metricsExport.ts). */
export interface MetricsConfig {
  enabled: boolean;
  connectionString?: string;
  identityClientId?: string;
}

export function metricsConfig(s: SettingsOf<typeof metricsSettings>): MetricsConfig {
  return {
    enabled: s.METRICS_ENABLED,
    ...(s.APPLICATIONINSIGHTS_CONNECTION_STRING ? { connectionString: s.APPLICATIONINSIGHTS_CONNECTION_STRING } : {}),
    ...(s.AZURE_CLIENT_ID ? { identityClientId: s.AZURE_CLIENT_ID } : {}),
  };
}
