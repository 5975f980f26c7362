import type { Profile } from '../../simulator/index.js';
import { offlineUntilOf, type WorkloadSpec } from '../workload.js';
import { formatTimeOverBound, type TimeOverBound } from './overBound.js';
import { formatStalls, type StallReport } from './stallProbe.js';

/** One contender's figures from one run (simulated time). */
export interface Measured {
  name: string;
  makespanMs: number;
  lowerBoundMs: number;
  ratioToLowerBound: number;
  /** 429s this contender received (another app's are not counted). */
  throttled429: number;
  /** Every API call this contender made (429s included). */
  calls: number;
  statusGetsPerAction: number;
  linkGetsPerAction: number;
  peakCallsPerMinute: number;
  peakConcurrentSessions: number;
  actionsCreated: number;
  finished: number;
  /** Not every action had ended when the benchmark gave up on it: its makespan is then only a lower bound. */
  gaveUp: boolean;
  /** Where the time beyond the bound went (overBound.ts); absent when no action was created. */
  overBound?: TimeOverBound;
  /** How the storage emulator answered a probe once a second during the run (the responder only: the baseline uses no storage). */
  storage?: StallReport;
}

/** Another app of the tenant, sharing the quota (strict profile only: per-app quotas do not share). */
export interface OtherAppLoad {
  callsPerMinute: number;
  sessionMs: number;
}

export interface ProfileResult {
  profile: Profile;
  otherApp?: OtherAppLoad;
  /** Devices in the run: a fleet of FLEET_GOALS.minDevices or more is judged against the fleet goals. */
  devices: number;
  responder: Measured;
  /** Absent when the run skipped it (--skip-baseline). */
  baseline?: Measured;
  /** Baseline makespan over the responder's (with a baseline). */
  baselineSlowdown?: number;
}

/** What the responder must reach (issue 17): with another app using part of the quota, near the bound of what is left, almost no 429s. */
export const PACING_GOALS = { maxRatio: 1.1, max429Share: 0.01, minBaselineSlowdown: 2 } as const;

/** At fleet scale with the quota to itself (issue 16, goal 4): closer to the bound, and no 429 at all. */
export const FLEET_GOALS = { minDevices: 1_000, maxRatio: 1.05, max429Share: 0 } as const;

/** The ratio and 429 goals that apply to a run: the fleet goals for a fleet with the quota to itself, else the pacing goals. */
export function goalsFor(r: Pick<ProfileResult, 'devices' | 'otherApp'>): { maxRatio: number; max429Share: number } {
  return r.devices >= FLEET_GOALS.minDevices && !r.otherApp ? FLEET_GOALS : PACING_GOALS;
}

/**
 * Quota lower bound for the workload: the last of N calls at the calls per
 * minute left to us, the last device online, or the sessions left busy for
 * the whole work; plus one action's own duration.
 */
export function lowerBoundMs(spec: WorkloadSpec, runStartAfterSimulatorMs: number, callsPerMinute = 10, sessions = 25): number {
  const actionMs = actionMsOf(spec);
  // The n-th call (from 0) can go no sooner than window floor(n / calls per window); a fractional share is rounded
  // up, which can only lower the bound (never flatter the ratio).
  const rate = Math.floor((spec.devices - 1) / Math.ceil(callsPerMinute)) * 60_000;
  const online = Math.max(0, ...Array.from({ length: spec.devices }, (_, i) => (offlineUntilOf(spec, i) ?? 0) - runStartAfterSimulatorMs));
  const sessionBound = (Math.ceil(spec.devices / Math.max(1, sessions)) - 1) * actionMs;
  return Math.max(rate, online, sessionBound) + actionMs;
}

/** One action's own time: pickup + script + GetFile of a small file (simulator defaults). */
export const actionMsOf = (spec: WorkloadSpec): number => 5_000 + spec.scriptMs + 2_000;

export const share429 = (m: Measured): number => m.throttled429 / Math.max(1, m.calls);

export interface Verdict {
  label: string;
  figure: string;
  goal: string;
  met: boolean;
}

/** The goals judged for one profile's run. */
export function verdicts(r: ProfileResult): Verdict[] {
  const goals = goalsFor(r);
  const out: Verdict[] = [
    {
      label: `${r.profile}: responder ratio to the bound`,
      figure: `${r.responder.gaveUp ? '> ' : ''}${r.responder.ratioToLowerBound.toFixed(3)}`,
      goal: `<= ${goals.maxRatio.toFixed(2)}`,
      met: !r.responder.gaveUp && r.responder.ratioToLowerBound <= goals.maxRatio,
    },
    {
      label: `${r.profile}: responder 429s / calls`,
      figure: `${r.responder.throttled429} / ${r.responder.calls} (${(share429(r.responder) * 100).toFixed(2)}%)`,
      goal: `<= ${goals.max429Share * 100}%`,
      met: share429(r.responder) <= goals.max429Share,
    },
  ];
  if (r.baseline && r.baselineSlowdown !== undefined) {
    out.push({
      label: `${r.profile}: naive baseline slower by`,
      // A baseline given up on was slower still: its figure is a lower bound, which can only understate.
      figure: `${r.baseline.gaveUp ? '> ' : ''}${r.baselineSlowdown.toFixed(2)}x`,
      goal: `>= ${PACING_GOALS.minBaselineSlowdown}x`,
      met: r.baselineSlowdown >= PACING_GOALS.minBaselineSlowdown,
    });
  }
  return out;
}

/** The side-by-side table: for each profile, the responder and the naive baseline; then each goal beside its figure. */
export function formatPacingReport(timeScale: number, results: readonly ProfileResult[]): string {
  const min = (ms: number): string => `${(ms / 60_000).toFixed(2)} min`;
  const rows: [string, (m: Measured) => string][] = [
    ['makespan (simulated)', (m) => `${m.gaveUp ? '> ' : ''}${min(m.makespanMs)}`],
    ['quota lower bound', (m) => min(m.lowerBoundMs)],
    ['ratio to lower bound', (m) => m.ratioToLowerBound.toFixed(3)],
    ['429s received / calls', (m) => `${m.throttled429} / ${m.calls}`],
    ['status GETs / finished action', (m) => m.statusGetsPerAction.toFixed(2)],
    ['link GETs / finished action', (m) => m.linkGetsPerAction.toFixed(2)],
    ['peak runliveresponse calls / 60 s', (m) => String(m.peakCallsPerMinute)],
    ['peak concurrent sessions', (m) => String(m.peakConcurrentSessions)],
    ['actions created / finished', (m) => `${m.actionsCreated} / ${m.finished}${m.gaveUp ? ' (gave up)' : ''}`],
  ];
  const width = 22;
  const heads = results.flatMap((r) => [`${r.profile}: responder`, ...(r.baseline ? [`${r.profile}: naive`] : [])]);
  const lines = [`time x${timeScale}`];
  for (const r of results) {
    if (r.otherApp)
      lines.push(
        `${r.profile}: another app shares the tenant's quota, ${r.otherApp.callsPerMinute} runliveresponse calls/min, sessions of ${r.otherApp.sessionMs / 1000} s`,
      );
  }
  lines.push(`${''.padEnd(36)}${heads.map((h) => h.padEnd(width)).join('')}`);
  for (const [label, f] of rows)
    lines.push(
      `${label.padEnd(36)}${results.flatMap((r) => [r.responder, ...(r.baseline ? [r.baseline] : [])].map((m) => f(m).padEnd(width))).join('')}`,
    );
  const over = results.flatMap((r) =>
    [r.responder, ...(r.baseline ? [r.baseline] : [])].flatMap((m) => [
      ...(m.overBound ? [`${r.profile}: ${m.name} ${formatTimeOverBound(m.overBound)}`] : []),
      ...(m.storage ? [`${r.profile}: ${m.name} ${formatStalls(m.storage)}`] : []),
    ]),
  );
  if (over.length > 0) lines.push('', ...over);
  lines.push('', `${'goal'.padEnd(44)}${'figure'.padEnd(30)}${'target'.padEnd(10)}verdict`);
  for (const v of results.flatMap(verdicts))
    lines.push(`${v.label.padEnd(44)}${v.figure.padEnd(30)}${v.goal.padEnd(10)}${v.met ? 'met' : 'NOT MET'}`);
  return lines.join('\n');
}
