import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../shared/config.js';
import { checkHealth } from '../../../../shared/services/health/health.js';
import type { HealthProbes } from '../../../../shared/services/health/probes.js';

const config = loadConfig({
  STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
  BUS_KIND: 'storage-queues',
  HEALTH_CHECK_TIMEOUT_MS: '100',
});
const fine = (): Promise<void> => Promise.resolve();

describe('GET /api/health: the checks', () => {
  it('is ok when every check answers, and says the settings are valid', async () => {
    const report = await checkHealth({ config, health: { storage: fine, bus: fine, defenderToken: fine } });
    expect(report).toEqual({
      status: 'ok',
      checks: { settings: { state: 'ok' }, storage: { state: 'ok' }, bus: { state: 'ok' }, defenderToken: { state: 'ok' } },
    });
  });

  it('reports a bus without a cheap check as not checked, which is not a failure', async () => {
    const report = await checkHealth({ config, health: { storage: fine, defenderToken: fine } });
    expect(report).toMatchObject({ status: 'ok', checks: { bus: { state: 'not checked' } } });
  });

  it('fails a check that throws, saying why without the secret or the link in the error', async () => {
    const health: HealthProbes = {
      storage: () =>
        Promise.reject(
          new Error('403 at https://acct.blob.core.windows.net/runs?sv=2024&sig=abc123 with AccountKey=c2VjcmV0; Bearer eyJhbGciOi.x.y'),
        ),
      bus: fine,
      defenderToken: fine,
    };
    const report = await checkHealth({ config, health });
    expect(report.status).toBe('failing');
    expect(report.checks.storage.state).toBe('failing');
    const detail = report.checks.storage.detail ?? '';
    expect(detail).toContain('Error: 403');
    expect(detail).not.toMatch(/acct\.blob|abc123|c2VjcmV0|eyJhbGciOi/);
  });

  it('fails a check that does not answer in HEALTH_CHECK_TIMEOUT_MS, without waiting for it', async () => {
    const never = (): Promise<void> => new Promise(() => undefined);
    const report = await checkHealth({ config, health: { storage: fine, bus: fine, defenderToken: never } });
    expect(report).toMatchObject({ status: 'failing', checks: { defenderToken: { state: 'failing', detail: 'no answer within 100 ms' } } });
  });
});
