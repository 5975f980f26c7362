import type { AlertShape } from './alertMessages.js';

/** What alert intake must reach (issue 16, goal 1). */
export const TRIAGE_GOALS = {
  /** Alert messages handled per minute, Azurite on the same 2-core machine. */
  minAlertsPerMinute: 6_000,
  /** Defender calls made while the alerts are handled (the device directory was filled beforehand). */
  maxDefenderCalls: 0,
  /** Reads of the tenant-wide pacing record that booked nothing, per alert message: read to book, not for every alert. */
  maxIdlePacingReadsPerAlert: 0.05,
} as const;

export interface TriageResult {
  alerts: number;
  byShape: Record<AlertShape, number>;
  repeats: { redelivered: number; updated: number };
  devices: number;
  /** Alert handlers running at once (host.json's maxConcurrentCalls for one instance). */
  concurrency: number;
  /** Wall ms from the first alert message sent to the last one completed. */
  elapsedMs: number;
  alertsPerMinute: number;
  /** What the handlers said, per outcome kind (a run started anew or found existing, a dead letter, ...). */
  outcomes: Record<string, number>;
  runsCreated: number;
  /** Submission messages on the actions queue at the end (approximate count, from the queue). */
  actionMessagesQueued: number;
  defenderCalls: number;
  pacingReads: number;
  pacingWrites: number;
  /** Messages the consumer could not settle (should be 0). */
  failed: number;
  /** Alert messages kept on the queue ahead of the consumer, at most (the feeder's sends count in the figure). */
  backlog: number;
  /** Where the actions queue was: on an Azurite of its own (the default), or on the one Azurite with the rest (--one-azurite). */
  actionsQueue: 'own-azurite' | 'shared-azurite';
  /** HTTP requests this process made to each Azurite, per alert message (the feeder's sends included). */
  azuriteRequestsPerAlert: { azurite: number; actionsAzurite?: number };
  /** CPU ms per alert message: this process (handlers and feeder), and each Azurite (undefined where /proc is not there). */
  cpuMsPerAlert: { responder: number; azurite?: number; actionsAzurite?: number };
}

export interface Verdict {
  label: string;
  figure: string;
  goal: string;
  met: boolean;
}

export function triageVerdicts(r: TriageResult): Verdict[] {
  // Every write follows the read it booked on; the other reads booked nothing (a compare-and-swap retry counts as one).
  const idleReadsPerAlert = Math.max(0, r.pacingReads - r.pacingWrites) / Math.max(1, r.alerts);
  return [
    {
      label: 'alerts per minute',
      figure: Math.round(r.alertsPerMinute).toLocaleString('en-US'),
      goal: `>= ${TRIAGE_GOALS.minAlertsPerMinute.toLocaleString('en-US')}`,
      met: r.alertsPerMinute >= TRIAGE_GOALS.minAlertsPerMinute && r.failed === 0,
    },
    {
      label: 'Defender calls while handling',
      figure: String(r.defenderCalls),
      goal: `${TRIAGE_GOALS.maxDefenderCalls}`,
      met: r.defenderCalls <= TRIAGE_GOALS.maxDefenderCalls,
    },
    {
      label: 'pacing reads booking nothing / alert',
      figure: `${idleReadsPerAlert.toFixed(3)} (${r.pacingReads} reads, ${r.pacingWrites} writes)`,
      goal: `<= ${TRIAGE_GOALS.maxIdlePacingReadsPerAlert} (read to book only)`,
      met: idleReadsPerAlert <= TRIAGE_GOALS.maxIdlePacingReadsPerAlert,
    },
  ];
}

export function formatTriageReport(r: TriageResult): string {
  const lines = [
    `alert intake: ${r.alerts} messages (${Object.entries(r.byShape)
      .map(([shape, n]) => `${n} ${shape}`)
      .join(', ')}; ${r.repeats.redelivered} redelivered, ${r.repeats.updated} updated) on ${r.devices} devices, ${r.concurrency} handlers`,
    `  handled in ${(r.elapsedMs / 1000).toFixed(1)} s; outcomes: ${Object.entries(r.outcomes)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}; runs created ${r.runsCreated}; action messages queued ${r.actionMessagesQueued}; failed ${r.failed}`,
    `  where the time goes, per alert: ${whereTimeGoes(r)}`,
    `  pacing record: ${r.pacingReads} reads, ${r.pacingWrites} writes (${(r.pacingReads / Math.max(1, r.alerts)).toFixed(3)} and ${(r.pacingWrites / Math.max(1, r.alerts)).toFixed(3)} per alert)`,
    '',
    ...triageVerdicts(r).map((v) => `${v.met ? 'MET ' : 'MISS'}  ${v.label.padEnd(38)} ${v.figure.padEnd(36)} goal ${v.goal}`),
  ];
  return lines.join('\n');
}

function whereTimeGoes(r: TriageResult): string {
  const ms = (n: number | undefined) => (n === undefined ? 'n/a' : `${n.toFixed(1)} ms`);
  const own = r.actionsQueue === 'own-azurite';
  return [
    `${r.azuriteRequestsPerAlert.azurite.toFixed(2)} requests to Azurite${own ? ` and ${(r.azuriteRequestsPerAlert.actionsAzurite ?? 0).toFixed(2)} to the actions queue's own` : ''}`,
    `CPU ${ms(r.cpuMsPerAlert.responder)} here, ${ms(r.cpuMsPerAlert.azurite)} in Azurite${own ? `, ${ms(r.cpuMsPerAlert.actionsAzurite)} in the actions queue's` : ''}`,
  ].join('; ');
}
