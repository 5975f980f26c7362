import { parseArgs } from 'node:util';
import { ScaledClock } from '../shared/clock.js';
import { SimulatorCredential, parseFleet, startSimulator, type RunningSimulator, type SimulatorStats } from '../simulator/index.js';
import { startPacingCluster } from './cluster.js';
import { runNaiveBaseline } from './naiveBaseline.js';
import { deviceIdOf, offlineUntilOf, workloadFleet, type WorkloadSpec } from './workload.js';

const HELP = `npm run bench:pacing -- [--devices N] [--scale N] [--workers N] [--json]

Runs, in one process, the responder (N workers sharing one storage account)
and a naive baseline (submit everything, on 429 wait Retry-After or back off,
poll each action every 30 s) against the Defender API simulator with the same
fleet: about 20% of devices offline for part of the run. Prints, for both:
makespan, the quota lower bound for the workload, their ratio, 429s received,
status and link GETs per finished action, and peak runliveresponse calls in
any minute. Time is simulated (--scale times faster than the wall clock).`;

interface Measured {
  name: string;
  makespanMs: number;
  lowerBoundMs: number;
  ratioToLowerBound: number;
  throttled429: number;
  statusGetsPerAction: number;
  linkGetsPerAction: number;
  peakCallsPerMinute: number;
  peakConcurrentSessions: number;
  actionsCreated: number;
  finished: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      devices: { type: 'string' },
      scale: { type: 'string' },
      workers: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return void process.stdout.write(HELP + '\n');
  const spec: WorkloadSpec = {
    devices: Number(values.devices ?? 200),
    offlineShare: 0.2,
    offlineUntilMaxMs: 15 * 60_000,
    scriptMs: 60_000,
  };
  const scale = Number(values.scale ?? 30);
  const workers = Number(values.workers ?? 2);
  const say = (line: string): void => void process.stderr.write(line + '\n');

  say(
    `pacing benchmark: ${spec.devices} devices (${Math.round(spec.offlineShare * 100)}% offline up to ${spec.offlineUntilMaxMs / 60_000} min), ${workers} workers, time x${scale}`,
  );
  say('responder ...');
  const ours = await measureResponder(spec, scale, workers);
  say('naive baseline ...');
  const naive = await measureBaseline(spec, scale);
  const result = {
    workload: spec,
    timeScale: scale,
    responder: ours,
    baseline: naive,
    baselineSlowdown: round(naive.makespanMs / ours.makespanMs),
  };
  if (values.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  else process.stdout.write(table(result) + '\n');
}

/** Quota lower bound: the last of N calls at 10 per minute, the last device online, or 25 sessions busy for the whole work; plus one action's own duration. */
export function lowerBoundMs(spec: WorkloadSpec, runStartAfterSimulatorMs: number): number {
  const actionMs = 5_000 + spec.scriptMs + 2_000; // pickup + script + GetFile of a small file (simulator defaults)
  const rate = Math.floor((spec.devices - 1) / 10) * 60_000;
  const online = Math.max(0, ...Array.from({ length: spec.devices }, (_, i) => (offlineUntilOf(spec, i) ?? 0) - runStartAfterSimulatorMs));
  const sessions = (Math.ceil(spec.devices / 25) - 1) * actionMs;
  return Math.max(rate, online, sessions) + actionMs;
}

async function measureResponder(spec: WorkloadSpec, scale: number, workers: number): Promise<Measured> {
  const cluster = await startPacingCluster({
    fleet: workloadFleet(spec),
    timeScale: scale,
    workers,
    // Defaults, except the send lead, which stands for wall-clock time spent on our own bookkeeping:
    // at x30 the default 2 s would leave 67 wall ms for it; give it 100 wall ms (production has 2,000).
    // The safety margin stays at its default: calls are recorded at answer time, on the simulator's own clock.
    settings: { PACING_SEND_LEAD_MS: String(Math.min(10_000, Math.max(2_000, 100 * scale))) },
  });
  try {
    const startMs = cluster.clock.nowMs();
    const runId = await cluster.startRun(Array.from({ length: spec.devices }, (_, i) => deviceIdOf(i)));
    const endMs = await allTerminal(cluster.simulator, cluster.clock, spec.devices, startMs);
    await cluster.waitForRun(runId, 600_000);
    const stats = cluster.simulator.stats();
    return measured('responder', stats, endMs - startMs, lowerBoundMs(spec, startMs - stats.startedAtMs));
  } finally {
    await cluster.stop();
  }
}

async function measureBaseline(spec: WorkloadSpec, scale: number): Promise<Measured> {
  const clock = new ScaledClock({ scale });
  const simulator = await startSimulator({ fleet: parseFleet(workloadFleet(spec)), clock });
  try {
    const startMs = clock.nowMs();
    const deviceIds = Array.from({ length: spec.devices }, (_, i) => deviceIdOf(i));
    const done = runNaiveBaseline({
      baseUrl: simulator.url,
      clock,
      credential: new SimulatorCredential({ clock }),
      deviceIds,
      concurrency: spec.devices,
      commands: () => [
        {
          type: 'RunScript',
          params: [
            { key: 'ScriptName', value: 'Quick-Triage.ps1' },
            { key: 'Args', value: '-OutputName naive' },
          ],
        },
        { type: 'GetFile', params: [{ key: 'Path', value: 'C:\\ProgramData\\MdeResponder\\Out\\naive.txt' }] },
      ],
    });
    const endMs = await allTerminal(simulator, clock, spec.devices, startMs);
    await done;
    const stats = simulator.stats();
    return measured('naive baseline', stats, endMs - startMs, lowerBoundMs(spec, startMs - stats.startedAtMs));
  } finally {
    await simulator.close();
  }
}

/** The simulated instant at which every device's action had reached a final state. */
async function allTerminal(simulator: RunningSimulator, clock: ScaledClock, devices: number, startMs: number): Promise<number> {
  for (;;) {
    const byStatus = simulator.stats().actionsByStatus;
    const terminal = byStatus.Succeeded + byStatus.Failed + byStatus.TimeOut + byStatus.Cancelled;
    if (terminal >= devices) return clock.nowMs();
    if (clock.nowMs() - startMs > 6 * 3_600_000) throw new Error(`not all actions ended after 6 simulated hours (${terminal}/${devices})`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function measured(name: string, stats: SimulatorStats, makespanMs: number, lowerBound: number): Measured {
  const finished =
    stats.actionsByStatus.Succeeded + stats.actionsByStatus.Failed + stats.actionsByStatus.TimeOut + stats.actionsByStatus.Cancelled;
  const status = (stats.calls.getMachineAction ?? 0) + (stats.calls.listMachineActions ?? 0);
  return {
    name,
    makespanMs,
    lowerBoundMs: lowerBound,
    ratioToLowerBound: round(makespanMs / lowerBound),
    throttled429: Object.values(stats.throttled).reduce((a, b) => a + (b ?? 0), 0),
    statusGetsPerAction: round(status / Math.max(1, finished)),
    linkGetsPerAction: round((stats.calls.getResultDownloadLink ?? 0) / Math.max(1, finished)),
    peakCallsPerMinute: stats.maxRunLiveResponseCallsIn60s,
    peakConcurrentSessions: stats.maxConcurrentSessions,
    actionsCreated: stats.actionsCreated,
    finished,
  };
}

function table(r: { timeScale: number; responder: Measured; baseline: Measured; baselineSlowdown: number }): string {
  const min = (ms: number): string => `${(ms / 60_000).toFixed(2)} min`;
  const rows: [string, (m: Measured) => string][] = [
    ['makespan (simulated)', (m) => min(m.makespanMs)],
    ['quota lower bound', (m) => min(m.lowerBoundMs)],
    ['ratio to lower bound', (m) => m.ratioToLowerBound.toFixed(3)],
    ['429s received', (m) => String(m.throttled429)],
    ['status GETs / finished action', (m) => m.statusGetsPerAction.toFixed(2)],
    ['link GETs / finished action', (m) => m.linkGetsPerAction.toFixed(2)],
    ['peak runliveresponse calls / 60 s', (m) => String(m.peakCallsPerMinute)],
    ['peak concurrent sessions', (m) => String(m.peakConcurrentSessions)],
    ['actions created / finished', (m) => `${m.actionsCreated} / ${m.finished}`],
  ];
  const lines = [`time x${r.timeScale}`, `${''.padEnd(36)}${'responder'.padEnd(16)}naive baseline`];
  for (const [label, f] of rows) lines.push(`${label.padEnd(36)}${f(r.responder).padEnd(16)}${f(r.baseline)}`);
  lines.push(`baseline is ${r.baselineSlowdown.toFixed(2)}x slower`);
  return lines.join('\n');
}

const round = (x: number): number => Math.round(x * 1000) / 1000;

main().catch((error: unknown) => {
  process.stderr.write(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
