import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../shared/config.js';
import { ConfigError } from '../../../shared/errors.js';

const minimal = {
  STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
  ServiceBusConnection__fullyQualifiedNamespace: 'ns.servicebus.windows.net',
};

describe('device directory settings', () => {
  it('refresh every 15 minutes by default, with documented defaults for the rest', () => {
    const config = loadConfig(minimal);
    expect(config.deviceDirectory).toEqual({
      schedule: '0 */15 * * * *',
      maxAgeMs: 3_600_000,
      missLookups: 20,
      missRetryMs: 300_000,
      missMaxWaitMs: 3_600_000,
    });
    expect(config.storage.deviceDirectoryTable).toBe('devices');
  });

  it('turn the refresh off with off', () => {
    expect(loadConfig({ ...minimal, DEVICE_DIRECTORY_CRON: 'off' }).deviceDirectory.schedule).toBeUndefined();
  });

  it.each([
    [{ DEVICE_DIRECTORY_CRON: '*/15 * * * *' }, 'DEVICE_DIRECTORY_CRON'],
    [{ DEVICE_DIRECTORY_MISS_LOOKUPS: '-1' }, 'DEVICE_DIRECTORY_MISS_LOOKUPS'],
    [{ DEVICE_DIRECTORY_MISS_RETRY_MS: '0' }, 'DEVICE_DIRECTORY_MISS_RETRY_MS'],
    [{ DEVICE_DIRECTORY_TABLE: 'no-dashes' }, 'DEVICE_DIRECTORY_TABLE'],
  ])('refuse %j, naming the setting', (bad, setting) => {
    expect(() => loadConfig({ ...minimal, ...bad })).toThrow(ConfigError);
    expect(() => loadConfig({ ...minimal, ...bad })).toThrow(`setting ${setting}:`);
  });
});
