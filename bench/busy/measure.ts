import { DEFENDER_SCOPE } from '../../shared/defender/port.js';
import type { RunningSimulator, SimulatorCredential, SimulatorStats } from '../../simulator/index.js';

/** One of our actions as Defender reports it. */
export interface ActionTimes {
  machineId: string;
  createdMs: number;
  lastUpdateMs: number;
  status: string;
}

/** What the busy-devices benchmark must reach (issue 16, goal 3). */
export const BUSY_GOALS = { maxRatio: 1.1, maxActiveRequestRejections: 0 } as const;

export interface BusyFigures {
  actions: number;
  /** First alert sent -> the last action's last update. */
  makespanMs: number;
  /** The longest device's sum of its actions' times (creation -> last update): nothing can end sooner. */
  lowerBoundMs: number;
  ratioToLowerBound: number;
  /** Per device: its actions' summed time, and the idle gaps between one action's end and the next one's creation. */
  devices: { machineId: string; actions: number; busyMs: number; meanGapMs: number; maxGapMs: number; gapsMs: number[] }[];
  /** 400 ActiveRequestAlreadyExists answers: calls spent on a device already running an action. */
  activeRequestRejections: number;
  statusCallsPerAction: number;
  throttled429: number;
}

/** Every action of the tenant, read once through the API (at the end: these reads are not counted in the figures). */
export async function readActions(simulator: RunningSimulator, credential: SimulatorCredential): Promise<ActionTimes[]> {
  const token = (await credential.getToken(DEFENDER_SCOPE))?.token ?? '';
  const actions: ActionTimes[] = [];
  for (let url: string | undefined = `${simulator.url}/api/machineactions`; url;) {
    const page = (await (await fetch(url, { headers: { authorization: `Bearer ${token}` } })).json()) as {
      value: { machineId: string; creationDateTimeUtc: string; lastUpdateDateTimeUtc: string; status: string }[];
      '@odata.nextLink'?: string;
    };
    for (const a of page.value)
      actions.push({
        machineId: a.machineId,
        createdMs: Date.parse(a.creationDateTimeUtc),
        lastUpdateMs: Date.parse(a.lastUpdateDateTimeUtc),
        status: a.status,
      });
    url = page['@odata.nextLink'];
  }
  return actions;
}

/** The figures of one run, from Defender's own record of the actions and the simulator's counters. */
export function busyFigures(actions: readonly ActionTimes[], startMs: number, stats: SimulatorStats): BusyFigures {
  const byDevice = new Map<string, ActionTimes[]>();
  for (const a of actions) byDevice.set(a.machineId, [...(byDevice.get(a.machineId) ?? []), a]);
  const devices = [...byDevice].map(([machineId, list]) => {
    const sorted = [...list].sort((a, b) => a.createdMs - b.createdMs);
    const gaps = sorted.slice(1).map((a, i) => a.createdMs - (sorted[i]?.lastUpdateMs ?? a.createdMs));
    return {
      machineId,
      actions: sorted.length,
      busyMs: sorted.reduce((sum, a) => sum + (a.lastUpdateMs - a.createdMs), 0),
      meanGapMs: gaps.length > 0 ? Math.round(gaps.reduce((x, y) => x + y, 0) / gaps.length) : 0,
      maxGapMs: gaps.length > 0 ? Math.max(...gaps) : 0,
      gapsMs: gaps,
    };
  });
  const makespanMs = Math.max(...actions.map((a) => a.lastUpdateMs)) - startMs;
  const lowerBoundMs = Math.max(...devices.map((d) => d.busyMs));
  const statusCalls = (stats.calls.getMachineAction ?? 0) + (stats.calls.listMachineActions ?? 0);
  return {
    actions: actions.length,
    makespanMs,
    lowerBoundMs,
    ratioToLowerBound: Math.round((makespanMs / lowerBoundMs) * 1000) / 1000,
    devices,
    activeRequestRejections: stats.activeRequestRejections,
    statusCallsPerAction: Math.round((statusCalls / Math.max(1, actions.length)) * 100) / 100,
    throttled429: Object.values(stats.throttled).reduce((a, b) => a + (b ?? 0), 0),
  };
}

/** The figures beside their goals. */
export function formatBusyReport(f: BusyFigures, heading: string): string {
  const ratioMet = f.ratioToLowerBound <= BUSY_GOALS.maxRatio;
  const wastedMet = f.activeRequestRejections <= BUSY_GOALS.maxActiveRequestRejections;
  const min = (ms: number): string => `${(ms / 60_000).toFixed(1)} min`;
  return [
    heading,
    ...f.devices.map(
      (d) =>
        `  ${d.machineId.slice(-6)}…  ${d.actions} actions, busy ${min(d.busyMs)}, gap between actions mean ${d.meanGapMs} ms, worst ${d.maxGapMs} ms`,
    ),
    `  makespan ${min(f.makespanMs)}, per-device lower bound ${min(f.lowerBoundMs)}; status calls per action ${f.statusCallsPerAction}; 429s ${f.throttled429}`,
    '',
    `${ratioMet ? 'MET ' : 'MISS'}  makespan / per-device lower bound   ${f.ratioToLowerBound.toFixed(3)}   goal <= ${BUSY_GOALS.maxRatio}`,
    `${wastedMet ? 'MET ' : 'MISS'}  ActiveRequestAlreadyExists answers  ${f.activeRequestRejections}   goal ${BUSY_GOALS.maxActiveRequestRejections}`,
  ].join('\n');
}
