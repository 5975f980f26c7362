import type { DeadLetterEntry } from '../../shared/bus/deadLetterStore.js';
import type { RunStatus } from '../../shared/services/status/runStatus.js';

/** What the checks read: the simulator's own records, storage, and every log line of the run. */
export interface ChaosRecords {
  alerts: readonly { alertId: string; messageId: string }[];
  runs: readonly RunStatus[];
  deadLetters: readonly DeadLetterEntry[];
  /** Every machine action the simulator holds (other apps' too). */
  actions: readonly { id: string; machineId: string; status: string; requestorComment: string | null }[];
  /** Every collected file whose source the simulator knows, checked byte for byte. */
  blobs: readonly { runId: string; deviceId: string; commandIndex: number; matchesSource: boolean }[];
  calls: number;
  throttled: number;
  logLines: readonly string[];
  /** Where the simulator's result links point (`127.0.0.1:PORT`): a log line naming it leaks a link. */
  linkHost: string;
}

export interface ChaosFigures {
  alertsIn: number;
  /** Alerts with exactly one final outcome: one ended run, or one dead letter, not both. */
  alertsWithOneOutcome: number;
  alertsWithoutOutcome: string[];
  alertsWithSeveralOutcomes: string[];
  intents: number;
  /** The most Defender actions any one intent (correlation token) caused. */
  maxActionsPerIntent: number;
  intentsWithSeveralActions: string[];
  /** Actions Defender completed (Succeeded) whose results are not all stored. */
  completedNotCollected: string[];
  blobsChecked: number;
  blobsMismatched: string[];
  calls: number;
  throttled: number;
  throttledShare: number;
  logLines: number;
  /** Log lines holding a secret or a result link, counted by what gave them away (the lines themselves are not repeated). */
  secretsInLogs: Record<string, number>;
  runs: number;
  runsNotEnded: string[];
  deadLetters: number;
}

/** What, in a log line, is a secret or a link; the link host is added per run. */
const SECRET_MARKERS = ['sig=', 'Bearer ', 'AccountKey=', 'SharedAccessKey='] as const;

const TOKEN = /corr=([a-z]-[a-z0-9]+)\.([0-9a-f]{12})/;

/** The figures of a run from its records (pure: the checks' arithmetic, tested on its own). */
export function chaosFigures(records: ChaosRecords): ChaosFigures {
  const runsByAlert = new Map<string, RunStatus[]>();
  for (const run of records.runs) {
    if (run.trigger.kind !== 'alert') continue;
    runsByAlert.set(run.trigger.alertId, [...(runsByAlert.get(run.trigger.alertId) ?? []), run]);
  }
  const alertsWithoutOutcome: string[] = [];
  const alertsWithSeveralOutcomes: string[] = [];
  for (const alert of records.alerts) {
    const ended = (runsByAlert.get(alert.alertId) ?? []).filter((r) => r.phase === 'ended').length;
    const deadLettered = records.deadLetters.filter((d) => d.queue === 'alerts' && d.originalMessageId === alert.messageId).length;
    if (ended + deadLettered === 0) alertsWithoutOutcome.push(alert.alertId);
    if (ended + deadLettered > 1) alertsWithSeveralOutcomes.push(alert.alertId);
  }

  // An intent is one device of one run: the correlation token in the comment, on one machine.
  const byIntent = new Map<string, { id: string; status: string }[]>();
  for (const action of records.actions) {
    const token = TOKEN.exec(action.requestorComment ?? '')?.[0];
    if (!token) continue;
    const intent = `${token} on ${action.machineId}`;
    byIntent.set(intent, [...(byIntent.get(intent) ?? []), action]);
  }
  const runsById = new Map(records.runs.map((r) => [r.runId, r]));
  const completedNotCollected: string[] = [];
  for (const [intent, actions] of byIntent) {
    const [, runId = ''] = TOKEN.exec(intent) ?? [];
    const machineId = intent.slice(intent.lastIndexOf(' ') + 1);
    const device = runsById.get(runId)?.devices.find((d) => d.deviceId === machineId);
    for (const action of actions.filter((a) => a.status === 'Succeeded')) {
      const stored = new Set(device?.actionId === action.id ? device.evidence.map((e) => e.commandIndex) : []);
      const all = device?.commands.every((_, i) => stored.has(i)) ?? false;
      if (!all) completedNotCollected.push(`${intent}: action ${action.id}`);
    }
  }

  const secretsInLogs: Record<string, number> = {};
  for (const marker of [...SECRET_MARKERS, records.linkHost]) {
    const count = records.logLines.filter((line) => line.includes(marker)).length;
    if (count > 0) secretsInLogs[marker === records.linkHost ? 'result link host' : marker] = count;
  }
  const sizes = [...byIntent.values()].map((a) => a.length);
  return {
    alertsIn: records.alerts.length,
    alertsWithOneOutcome: records.alerts.length - alertsWithoutOutcome.length - alertsWithSeveralOutcomes.length,
    alertsWithoutOutcome,
    alertsWithSeveralOutcomes,
    intents: byIntent.size,
    maxActionsPerIntent: Math.max(0, ...sizes),
    intentsWithSeveralActions: [...byIntent].filter(([, a]) => a.length > 1).map(([token]) => token),
    completedNotCollected,
    blobsChecked: records.blobs.length,
    blobsMismatched: records.blobs.filter((b) => !b.matchesSource).map((b) => `${b.runId}/${b.deviceId}/${b.commandIndex}`),
    calls: records.calls,
    throttled: records.throttled,
    throttledShare: records.calls === 0 ? 0 : records.throttled / records.calls,
    logLines: records.logLines.length,
    secretsInLogs,
    runs: records.runs.length,
    runsNotEnded: records.runs.filter((r) => r.phase !== 'ended').map((r) => `${r.runId} (${r.phase})`),
    deadLetters: records.deadLetters.length,
  };
}

export interface Goal {
  name: string;
  figure: string;
  goal: string;
  met: boolean;
}

/** Each figure beside its goal. */
export function chaosGoals(f: ChaosFigures): Goal[] {
  const secrets = Object.values(f.secretsInLogs).reduce((a, b) => a + b, 0);
  return [
    {
      name: 'alerts with exactly one final outcome',
      figure: `${f.alertsWithOneOutcome} of ${f.alertsIn}`,
      goal: 'all',
      met: f.alertsWithOneOutcome === f.alertsIn,
    },
    {
      name: 'most Defender actions for one intent',
      figure: `${f.maxActionsPerIntent} (${f.intents} intents)`,
      goal: 'never 2',
      met: f.maxActionsPerIntent <= 1,
    },
    {
      name: 'completed actions whose evidence was not collected',
      figure: String(f.completedNotCollected.length),
      goal: '0',
      met: f.completedNotCollected.length === 0,
    },
    {
      name: 'blobs whose SHA-256 differs from the source',
      figure: `${f.blobsMismatched.length} of ${f.blobsChecked}`,
      goal: '0',
      met: f.blobsMismatched.length === 0,
    },
    {
      name: 'share of Defender calls answered 429',
      figure: `${(f.throttledShare * 100).toFixed(2)}% (${f.throttled} of ${f.calls})`,
      goal: 'at most 1%',
      met: f.throttledShare <= 0.01,
    },
    { name: 'secrets or result links in logs', figure: `${secrets} in ${f.logLines} lines`, goal: '0', met: secrets === 0 },
    {
      name: 'runs not ended after the sweep',
      figure: `${f.runsNotEnded.length} of ${f.runs}`,
      goal: '0',
      met: f.runsNotEnded.length === 0,
    },
  ];
}
