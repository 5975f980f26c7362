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
  ])('names the bad setting (%#)', (env, setting) => {
    expect(settingOf(env)).toBe(setting);
  });

  it('allows plain http to the simulator only on loopback and only when asked', () => {
    expect(settingOf({ ...minimal, DEFENDER_API_BASE_URL: 'http://127.0.0.1:9999' })).toBe('DEFENDER_API_BASE_URL');
    expect(
      loadConfig({ ...minimal, DEFENDER_API_BASE_URL: 'http://127.0.0.1:9999', DEFENDER_ALLOW_HTTP_LOOPBACK: 'true' }).defender.baseUrl,
    ).toBe('http://127.0.0.1:9999');
  });
});
