import { describe, expect, it } from 'vitest';
import { formatTriageReport, triageVerdicts, type TriageResult } from '../../../bench/triage/report.js';

const result = (over: Partial<TriageResult> = {}): TriageResult => ({
  alerts: 1_000,
  byShape: { 'defender-api': 334, 'graph-v2': 333, streaming: 333 },
  repeats: { redelivered: 134, updated: 66 },
  devices: 1_000,
  concurrency: 8,
  elapsedMs: 30_000,
  alertsPerMinute: 2_000,
  outcomes: { started: 1_000 },
  runsCreated: 800,
  actionMessagesQueued: 1_000,
  defenderCalls: 0,
  pacingReads: 310,
  pacingWrites: 300,
  failed: 0,
  backlog: 256,
  actionsQueue: 'own-azurite',
  azuriteRequestsPerAlert: { azurite: 9.25, actionsAzurite: 1 },
  cpuMsPerAlert: { responder: 14.2, azurite: 15.44, actionsAzurite: 3 },
  ...over,
});

describe('the alert intake benchmark report', () => {
  it('says where each alert’s time goes: requests and CPU per alert for this process and each Azurite', () => {
    expect(formatTriageReport(result())).toContain(
      "where the time goes, per alert: 9.25 requests to Azurite and 1.00 to the actions queue's own; CPU 14.2 ms here, 15.4 ms in Azurite, 3.0 ms in the actions queue's",
    );
  });

  it('names one Azurite when every queue was on it, and n/a for CPU it could not read', () => {
    const text = formatTriageReport(
      result({ actionsQueue: 'shared-azurite', azuriteRequestsPerAlert: { azurite: 10.25 }, cpuMsPerAlert: { responder: 13.5 } }),
    );
    expect(text).toContain('where the time goes, per alert: 10.25 requests to Azurite; CPU 13.5 ms here, n/a in Azurite\n');
  });

  it('misses the rate goal below 6,000 alerts a minute and meets it at 6,000 with nothing failed', () => {
    expect(triageVerdicts(result())[0]).toMatchObject({ label: 'alerts per minute', met: false });
    expect(triageVerdicts(result({ alertsPerMinute: 6_000 }))[0]?.met).toBe(true);
    expect(triageVerdicts(result({ alertsPerMinute: 6_000, failed: 1 }))[0]?.met).toBe(false);
  });
});
