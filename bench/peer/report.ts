import type { SimulatorStats } from '../../simulator/index.js';
import type { PeerWorkload } from './fleet.js';

/** One contender's figures from its run of the peer benchmark (simulated time). */
export interface PeerMeasured {
  name: string;
  devices: number;
  /** Devices whose file the contender holds at its end (ours: evidence recorded; the peer: files it downloaded). */
  collected: number;
  /** Start to the contender's end: our run ended, or the peer's last invocation returned. */
  makespanMs: number;
  throttled429: number;
  calls: number;
  actionsCreated: number;
  /** Status reads (GET by id and list calls) per action created. */
  statusCallsPerAction: number;
  /** Defender actions still Pending or InProgress at the contender's end: each blocks its device and holds a session. */
  leftOpen: number;
  /** Our run had not ended when the benchmark stopped waiting. */
  gaveUp: boolean;
  /** How the devices ended, by outcome (the peer's outcomes; ours: the device states of the run). */
  outcomes: Record<string, number>;
  /** The peer only: invocations whose HTTP caller got the answer within 230 s, of all. */
  callersAnswered?: { answered: number; invocations: number };
}

export interface PeerReport {
  workload: PeerWorkload;
  timeScale: number;
  profile: string;
  peerInvocations: number;
  ours: PeerMeasured;
  peer: PeerMeasured;
}

/** Issue 16 goal 5: ours collects every device that comes online within 3 days and leaves nothing Pending; the peer's figures are what its logic gives. */
export const PEER_GOAL = 'ours: every device that comes online collected, nothing Pending; peer: whatever its logic gives';

/** Every device of the fleet comes online within 3 days, so ours must collect them all. */
export function goalMet(ours: PeerMeasured): boolean {
  return !ours.gaveUp && ours.collected === ours.devices && ours.leftOpen === 0;
}

/** The simulator's counters that both contenders are measured by. */
export function fromStats(
  stats: SimulatorStats,
): Pick<PeerMeasured, 'throttled429' | 'calls' | 'actionsCreated' | 'statusCallsPerAction' | 'leftOpen'> {
  const sum = (counts: Partial<Record<string, number>>): number => Object.values(counts).reduce<number>((a, b) => a + (b ?? 0), 0);
  const statusCalls = (stats.calls.getMachineAction ?? 0) + (stats.calls.listMachineActions ?? 0);
  return {
    throttled429: sum(stats.throttled),
    calls: sum(stats.calls),
    actionsCreated: stats.actionsCreated,
    statusCallsPerAction: Math.round((statusCalls / Math.max(1, stats.actionsCreated)) * 100) / 100,
    leftOpen: stats.actionsByStatus.Pending + stats.actionsByStatus.InProgress,
  };
}

/** Counts of each value (outcomes by name). */
export function tally(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}

/** The side-by-side table, the peer's outcomes, and the goal beside its figure. */
export function formatPeerReport(r: PeerReport): string {
  const min = (ms: number): string => `${(ms / 60_000).toFixed(1)} min`;
  const rows: [string, (m: PeerMeasured) => string][] = [
    ['devices collected', (m) => `${m.collected} / ${m.devices}`],
    ['makespan (simulated)', (m) => `${m.gaveUp ? '> ' : ''}${min(m.makespanMs)}`],
    ['429s received / calls', (m) => `${m.throttled429} / ${m.calls}`],
    ['status calls / action', (m) => m.statusCallsPerAction.toFixed(2)],
    ['actions created', (m) => String(m.actionsCreated)],
    ['actions left Pending at the end', (m) => String(m.leftOpen)],
  ];
  const w = 28;
  const offline = `${Math.round(r.workload.offlineShare * 100)}% offline, back at spread times up to ${(r.workload.offlineUntilMaxMs / 3_600_000).toFixed(1)} h`;
  const lines = [
    `${r.workload.devices} devices (${offline}), profile ${r.profile}, time x${r.timeScale}; the peer in ${r.peerInvocations} invocation(s) of 10 parallel`,
    `${''.padEnd(34)}${'ours'.padEnd(w)}MDEAutomator (model)`,
    ...rows.map(([label, f]) => `${label.padEnd(34)}${f(r.ours).padEnd(w)}${f(r.peer)}`),
    '',
    `ours by state:  ${describeCounts(r.ours.outcomes)}`,
    `peer by outcome: ${describeCounts(r.peer.outcomes)}`,
  ];
  if (r.peer.callersAnswered)
    lines.push(
      `peer invocations whose HTTP caller got the answer (within 230 s): ${r.peer.callersAnswered.answered} of ${r.peer.callersAnswered.invocations}`,
    );
  lines.push(
    '',
    `goal: ${PEER_GOAL}`,
    `ours: ${r.ours.collected} of ${r.ours.devices} collected, ${r.ours.leftOpen} left Pending: ${goalMet(r.ours) ? 'met' : 'NOT MET'}`,
  );
  return lines.join('\n');
}

const describeCounts = (counts: Record<string, number>): string =>
  Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
