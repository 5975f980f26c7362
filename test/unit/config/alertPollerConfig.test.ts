import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../shared/config.js';
import { ConfigError } from '../../../shared/errors.js';

const minimal = {
  STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
  ServiceBusConnection__fullyQualifiedNamespace: 'ns.servicebus.windows.net',
};

describe('alert poller settings', () => {
  it('leave the poller off by default, with documented defaults for the rest', () => {
    const config = loadConfig(minimal);
    expect(config.alertPoller).toEqual({ schedule: undefined, lookbackMs: 3_600_000, overlapMs: 60_000, pageSize: 1_000, maxPages: 10 });
    expect(config.storage.watermarkTable).toBe('watermarks');
  });

  it('turn it on with an NCRONTAB schedule', () => {
    expect(loadConfig({ ...minimal, ALERT_POLL_CRON: '0 */5 * * * *' }).alertPoller.schedule).toBe('0 */5 * * * *');
  });

  it.each([
    [{ ALERT_POLL_CRON: '*/5 * * * *' }, 'ALERT_POLL_CRON'],
    [{ ALERT_POLL_PAGE_SIZE: '20000' }, 'ALERT_POLL_PAGE_SIZE'],
    [{ ALERT_POLL_OVERLAP_MS: '-1' }, 'ALERT_POLL_OVERLAP_MS'],
    [{ WATERMARK_TABLE: 'no-dashes' }, 'WATERMARK_TABLE'],
  ])('refuse %j, naming the setting', (bad, setting) => {
    expect(() => loadConfig({ ...minimal, ...bad })).toThrow(ConfigError);
    expect(() => loadConfig({ ...minimal, ...bad })).toThrow(`setting ${setting}:`);
  });

  it('fail start-up on a bad schedule, naming the setting', () => {
    expect(() => loadConfig({ ...minimal, ALERT_POLL_CRON: 'every five minutes' })).toThrow(
      /^setting ALERT_POLL_CRON: a six-field NCRONTAB expression/,
    );
  });
});
