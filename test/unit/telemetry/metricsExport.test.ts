import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../shared/config.js';
import { metricsExportOf } from '../../../functions/lib/metricsExport.js';

const base = { STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true', BUS_KIND: 'storage-queues' };
const CONNECTION =
  'InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/';

describe("the Function App's metrics start-up", () => {
  it('is skipped without an Application Insights connection string', () => {
    expect(metricsExportOf(loadConfig(base).metrics)).toEqual({ kind: 'off', why: 'APPLICATIONINSIGHTS_CONNECTION_STRING is not set' });
  });

  it('is skipped when METRICS_ENABLED is false, connection string or not', () => {
    const config = loadConfig({ ...base, APPLICATIONINSIGHTS_CONNECTION_STRING: CONNECTION, METRICS_ENABLED: 'false' });
    expect(metricsExportOf(config.metrics)).toEqual({ kind: 'off', why: 'METRICS_ENABLED is false' });
  });

  it("exports to Application Insights with the connection string and the app's identity", () => {
    const config = loadConfig({ ...base, APPLICATIONINSIGHTS_CONNECTION_STRING: CONNECTION, AZURE_CLIENT_ID: 'client-1' });
    expect(metricsExportOf(config.metrics)).toEqual({ kind: 'azure-monitor', connectionString: CONNECTION, identityClientId: 'client-1' });
  });
});
