import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../shared/config.js';

const BASE = { STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true', BUS_KIND: 'storage-queues' };
const SECRET = 'a-webhook-secret-of-forty-characters-xyz';

function problemOf(settings: Record<string, string>): string {
  try {
    loadConfig({ ...BASE, ...settings });
  } catch (error) {
    return (error as Error).message;
  }
  return '';
}

describe('notification settings', () => {
  it('are all off by default', () => {
    const { notify } = loadConfig(BASE);
    expect(notify).toMatchObject({ defenderAlertComments: false, alertCommentMaxChars: 4_000, fieldMaxChars: 256, maxDevices: 20 });
    expect(notify.webhook).toBeUndefined();
    expect(notify.teams).toBeUndefined();
  });

  it("refuse a sweep re-send of a run's end that the storage-queue bus's duplicate detection would not drop", () => {
    const teams = { NOTIFY_TEAMS_WORKFLOW_URL: 'https://flows.example.com/x' };
    expect(problemOf({ ...teams, BUS_DUPLICATE_DETECTION_WINDOW_MS: '0' })).toMatch(
      /NOTIFY_RESEND_ENDED_WITHIN_MS: must be below BUS_DUPLICATE_DETECTION_WINDOW_MS \(0\), or 0/,
    );
    expect(problemOf({ ...teams, NOTIFY_RESEND_ENDED_WITHIN_MS: '600000' })).toMatch(/NOTIFY_RESEND_ENDED_WITHIN_MS: must be below/);
    expect(problemOf({ ...teams, BUS_DUPLICATE_DETECTION_WINDOW_MS: '0', NOTIFY_RESEND_ENDED_WITHIN_MS: '0' })).toBe('');
    expect(problemOf({ ...teams, NOTIFY_RESEND_ENDED_WITHIN_MS: '599999' })).toBe('');
    expect(problemOf({ BUS_DUPLICATE_DETECTION_WINDOW_MS: '0' })).toBe('');
  });

  it('refuse a webhook without its signing secret, naming the setting', () => {
    expect(problemOf({ NOTIFY_WEBHOOK_URL: 'https://hooks.example.com/r' })).toMatch(
      /NOTIFY_WEBHOOK_SECRET: required when NOTIFY_WEBHOOK_URL/,
    );
  });

  it('refuse plain http except on loopback, without quoting the URL', () => {
    const problem = problemOf({ NOTIFY_TEAMS_WORKFLOW_URL: 'http://flows.example.com/x?sig=SECRETSIG' });
    expect(problem).toMatch(/NOTIFY_TEAMS_WORKFLOW_URL: must be an https URL/);
    expect(problem).not.toContain('SECRETSIG');
    expect(problemOf({ NOTIFY_TEAMS_WORKFLOW_URL: 'http://127.0.0.1:8080/teams' })).toBe('');
  });

  it('never quote a secret that fails its own check', () => {
    const problem = problemOf({ NOTIFY_WEBHOOK_URL: 'https://hooks.example.com/r', NOTIFY_WEBHOOK_SECRET: 'short-SECRET' });
    expect(problem).toMatch(/NOTIFY_WEBHOOK_SECRET: at least 32 characters \(got a value not shown\)/);
    expect(problem).not.toContain('short-SECRET');
  });

  it('build each configured sink', () => {
    const { notify } = loadConfig({
      ...BASE,
      NOTIFY_WEBHOOK_URL: 'https://hooks.example.com/r',
      NOTIFY_WEBHOOK_SECRET: SECRET,
      NOTIFY_TEAMS_WORKFLOW_URL: 'https://flows.example.com/x',
      NOTIFY_DEFENDER_ALERT_COMMENTS: 'true',
    });
    expect(notify).toMatchObject({
      webhook: { url: 'https://hooks.example.com/r', secret: SECRET },
      teams: { workflowUrl: 'https://flows.example.com/x' },
      defenderAlertComments: true,
    });
  });
});
