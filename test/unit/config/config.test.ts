import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../shared/config.js';
import { ConfigError } from '../../../shared/errors.js';

const minimal = {
  STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
  ServiceBusConnection__fullyQualifiedNamespace: 'ns.servicebus.windows.net',
};

function settingOf(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.setting;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('defaults every limit to the documented Defender value', () => {
    const config = loadConfig(minimal);
    expect(config.limits).toEqual({
      liveResponseCalls: 10,
      liveResponseWindowMs: 60_000,
      maxSessions: 25,
      offlineDeadlineMs: 3 * 24 * 3_600_000,
      runScriptTimeoutMs: 600_000,
      resultLinkTtlMs: 1_800_000,
      statusCallsPerMinute: 100,
      statusCallsPerHour: 1_500,
      safetyMarginMs: 1_000,
      sendLeadMs: 2_000,
      reservationGraceMs: 600_000,
    });
    expect(config.defender.scope).toBe('https://api.securitycenter.microsoft.com/.default');
    expect(Object.isFrozen(config)).toBe(true);
  });

  it.each([
    [{ ...minimal, LIMIT_LIVE_RESPONSE_CALLS: 'ten' }, 'LIMIT_LIVE_RESPONSE_CALLS'],
    [{ ...minimal, LIMIT_MAX_SESSIONS: '0' }, 'LIMIT_MAX_SESSIONS'],
    [{ ...minimal, DEFENDER_API_BASE_URL: 'http://api.example.com' }, 'DEFENDER_API_BASE_URL'],
    [{ ...minimal, SESSIONS_FULL_RETRY_MS: '1000', PACING_SEND_LEAD_MS: '2000' }, 'SESSIONS_FULL_RETRY_MS'],
    [{ ServiceBusConnection__fullyQualifiedNamespace: 'ns' }, 'STORAGE_CONNECTION_STRING'],
    [{ STORAGE_CONNECTION_STRING: 'x' }, 'ServiceBusConnection__fullyQualifiedNamespace'],
    [{ ...minimal, EVIDENCE_CONTAINER: 'Bad_Name' }, 'EVIDENCE_CONTAINER'],
    [{ ...minimal, EVIDENCE_LINK_TTL_MS: String(60 * 60_000 + 1) }, 'EVIDENCE_LINK_TTL_MS'],
    [{ ...minimal, EVIDENCE_LINK_TTL_MS: '0' }, 'EVIDENCE_LINK_TTL_MS'],
    [
      { ...minimal, EVIDENCE_BLOCK_SIZE_BYTES: String(8 * 1024 * 1024), EVIDENCE_INSTANCE_BLOCK_MEMORY_BYTES: String(4 * 1024 * 1024) },
      'EVIDENCE_INSTANCE_BLOCK_MEMORY_BYTES',
    ],
  ])('names the bad setting (%#)', (env, setting) => {
    expect(settingOf(env)).toBe(setting);
  });

  it('caps the block memory of all evidence transfers of one instance at 32 MiB by default', () => {
    expect(loadConfig(minimal).evidence).toMatchObject({
      blockSizeBytes: 4 * 1024 * 1024,
      uploadConcurrency: 2,
      instanceBlockMemoryBytes: 32 * 1024 * 1024,
    });
  });

  it('gives an evidence download link five minutes by default and at most an hour', () => {
    expect(loadConfig(minimal).evidence.linkTtlMs).toBe(5 * 60_000);
    expect(loadConfig({ ...minimal, EVIDENCE_LINK_TTL_MS: String(60 * 60_000) }).evidence.linkTtlMs).toBe(60 * 60_000);
  });

  it('reports every bad setting at once, each named with the value given', () => {
    let error: unknown;
    try {
      loadConfig({
        ...minimal,
        LIMIT_LIVE_RESPONSE_CALLS: 'ten',
        EVIDENCE_CONTAINER: 'Bad_Name',
        QUEUE_POLLS: '',
        SCHEDULE_SWEEP_CRON: 'hourly',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.map((p) => p.setting);
    expect(problems).toEqual(['LIMIT_LIVE_RESPONSE_CALLS', 'EVIDENCE_CONTAINER', 'SCHEDULE_SWEEP_CRON']);
    expect((error as ConfigError).message).toMatch(
      /^3 settings are invalid: setting LIMIT_LIVE_RESPONSE_CALLS: .*\(got "ten"\); setting EVIDENCE_CONTAINER: .*; setting SCHEDULE_SWEEP_CRON: a six-field NCRONTAB/,
    );
  });

  it('reports every rule that ties settings together, not just the first', () => {
    expect(() => loadConfig({ DEFENDER_API_BASE_URL: 'http://api.example.com', SESSIONS_FULL_RETRY_MS: '1000' })).toThrow(
      /^4 settings are invalid: setting SESSIONS_FULL_RETRY_MS: .*; setting DEFENDER_API_BASE_URL: .*; setting STORAGE_CONNECTION_STRING: .*; setting ServiceBusConnection__fullyQualifiedNamespace: /,
    );
  });

  it('reports missing connections beside invalid values', () => {
    expect(() => loadConfig({ LIMIT_MAX_SESSIONS: '0' })).toThrow(
      /^3 settings are invalid: setting LIMIT_MAX_SESSIONS: .*; setting STORAGE_CONNECTION_STRING: .*; setting ServiceBusConnection__fullyQualifiedNamespace: /,
    );
  });

  it('names each queue by its QUEUE_* setting, defaulting to the queue itself', () => {
    expect(loadConfig({ ...minimal, QUEUE_COLLECT: 'mde-collect' }).bus.queues).toEqual({
      alerts: 'alerts',
      actions: 'actions',
      polls: 'polls',
      collect: 'mde-collect',
      notify: 'notify',
    });
  });

  it('allows plain http to the simulator only on loopback and only when asked', () => {
    expect(settingOf({ ...minimal, DEFENDER_API_BASE_URL: 'http://127.0.0.1:9999' })).toBe('DEFENDER_API_BASE_URL');
    expect(
      loadConfig({ ...minimal, DEFENDER_API_BASE_URL: 'http://127.0.0.1:9999', DEFENDER_ALLOW_HTTP_LOOPBACK: 'true' }).defender.baseUrl,
    ).toBe('http://127.0.0.1:9999');
  });
});
