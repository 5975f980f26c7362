import { positiveWhole } from './flags.js';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { ScaledClock } from '../shared/clock.js';
import { PROFILES, SimulatorCredential, parseFleet, startSimulator, type Profile } from '../simulator/index.js';
import { benchSettingsFor, startPacingCluster, type PacingCluster } from './cluster.js';
import { PEER_FILE_PATH, peerFleet, type PeerWorkload } from './peer/fleet.js';
import { formatPeerReport, fromStats, goalMet, PEER_GOAL, tally, type PeerMeasured, type PeerReport } from './peer/report.js';
import { MAX_INSTANCES, runMdeAutomator } from './peers/mdeAutomator/orchestrator.js';
import { deviceIdOf } from './workload.js';
import type { RunStatus } from '../shared/services/status/runStatus.js';

const HELP = `npm run bench:peer -- [--devices N] [--scale N] [--profile lenient|strict] [--peer-invocations N] [--workers N] [--json]

Runs, one after the other in one process, the responder (N workers, default 2,
on Azurite) and a model of MDEAutomator's InvokeGetFile (bench/peers/
mdeAutomator/, sources in docs/benchmarks.md) against the Defender API
simulator, each with its own simulator and the same fleet: --devices (default
200) devices, every fifth offline at the start and back at evenly spread
times up to 3 simulated hours (all within Defender's 3-day queue), each
holding one small file that both collect. The peer's devices go out in
--peer-invocations HTTP requests (default 10, at most 10: its Function App's
instance limit), each running 10 devices at once with no limit shared
between them. Prints, for both: devices collected, makespan, 429s, status
calls per action, and Defender actions left Pending at the end; then the
goal beside the figure. Time is simulated (--scale times faster than the
wall clock, default 60: a run takes about four wall minutes).

Goal: ${PEER_GOAL}.`;

const OFFLINE_UNTIL_MAX_MS = 3 * 3_600_000;
/** Ours is given up on when it has not ended this long (simulated) after the last device came online. */
const OURS_GRACE_MS = 2 * 3_600_000;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      devices: { type: 'string' },
      scale: { type: 'string' },
      profile: { type: 'string' },
      'peer-invocations': { type: 'string' },
      workers: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return void process.stdout.write(HELP + '\n');
  const workload: PeerWorkload = {
    devices: positiveWhole('--devices', values.devices, 200),
    offlineShare: 0.2,
    offlineUntilMaxMs: OFFLINE_UNTIL_MAX_MS,
  };
  const scale = Number(values.scale ?? 60);
  if (!(scale > 0)) throw new Error(`--scale: expected a positive number, got ${values.scale ?? ''}`);
  const profile = values.profile ?? 'lenient';
  if (!(PROFILES as readonly string[]).includes(profile)) throw new Error(`--profile: expected lenient or strict, got ${profile}`);
  const peerInvocations = positiveWhole('--peer-invocations', values['peer-invocations'], MAX_INSTANCES);
  if (peerInvocations > MAX_INSTANCES) throw new Error(`--peer-invocations: expected 1 to ${MAX_INSTANCES}, got ${peerInvocations}`);
  const workers = positiveWhole('--workers', values.workers, 2);
  const say = (line: string): void => void process.stderr.write(line + '\n');

  say(`peer benchmark: ${workload.devices} devices, ${workload.offlineShare * 100}% offline up to 3 h, time x${scale}, profile ${profile}`);
  say('ours ...');
  const ours = await measureOurs(workload, scale, profile as Profile, workers);
  say(`ours: ${ours.collected} of ${ours.devices} collected in ${(ours.makespanMs / 60_000).toFixed(1)} min; MDEAutomator model ...`);
  const peer = await measurePeer(workload, scale, profile as Profile, peerInvocations);
  const report: PeerReport = { workload, timeScale: scale, profile, peerInvocations, ours, peer };
  if (values.json) process.stdout.write(JSON.stringify({ goal: PEER_GOAL, goalMet: goalMet(ours), ...report }, null, 2) + '\n');
  else process.stdout.write(formatPeerReport(report) + '\n');
}

async function measureOurs(workload: PeerWorkload, scale: number, profile: Profile, workers: number): Promise<PeerMeasured> {
  const cluster = await startPacingCluster({
    fleet: peerFleet(workload),
    simulatorSettings: { profile },
    timeScale: scale,
    workers,
    settings: benchSettingsFor(scale),
  });
  try {
    const startMs = cluster.clock.nowMs();
    const ids = Array.from({ length: workload.devices }, (_, i) => deviceIdOf(i));
    const runIds = await cluster.startRuns(ids, 'collect-file');
    const end = await allRunsEnded(cluster, runIds, startMs + workload.offlineUntilMaxMs + OURS_GRACE_MS);
    const devices = end.statuses.flatMap((s) => s.devices);
    return {
      name: 'ours',
      devices: workload.devices,
      collected: devices.filter((d) => d.evidence.length > 0).length,
      makespanMs: end.atMs - startMs,
      gaveUp: !end.ended,
      outcomes: tally(devices.map((d) => d.state)),
      ...fromStats(cluster.simulator.stats()),
    };
  } finally {
    await cluster.stop();
  }
}

/** Waits until every run has ended, or the clock passes `giveUpAtMs`. */
async function allRunsEnded(
  cluster: PacingCluster,
  runIds: readonly string[],
  giveUpAtMs: number,
): Promise<{ ended: boolean; atMs: number; statuses: RunStatus[] }> {
  const services = cluster.workers[0]?.services;
  if (!services) throw new Error('the cluster has no worker');
  for (;;) {
    const statuses = (await Promise.all(runIds.map((id) => services.runStatus(id)))).filter((s): s is RunStatus => s !== undefined);
    const atMs = cluster.clock.nowMs();
    const ended = statuses.length === runIds.length && statuses.every((s) => s.phase === 'ended');
    if (ended || atMs > giveUpAtMs) return { ended, atMs, statuses };
    await delay(250);
  }
}

async function measurePeer(workload: PeerWorkload, scale: number, profile: Profile, invocations: number): Promise<PeerMeasured> {
  const clock = new ScaledClock({ scale });
  const simulator = await startSimulator({ fleet: parseFleet(peerFleet(workload)), clock, settings: { profile } });
  try {
    const startMs = clock.nowMs();
    const result = await runMdeAutomator({
      baseUrl: simulator.url,
      clock,
      sleep: (ms) => delay(clock.toWallMs(ms)),
      credential: new SimulatorCredential({ clock }),
      deviceIds: Array.from({ length: workload.devices }, (_, i) => deviceIdOf(i)),
      filePath: PEER_FILE_PATH,
      invocations,
    });
    const endMs = Math.max(startMs, ...result.invocations.map((i) => i.endedMs));
    return {
      name: 'MDEAutomator (model)',
      devices: workload.devices,
      collected: result.devices.filter((d) => d.result === 'collected').length,
      makespanMs: endMs - startMs,
      gaveUp: false,
      outcomes: tally(result.devices.map(outcomeLabel)),
      callersAnswered: { answered: result.invocations.filter((i) => i.answeredCaller).length, invocations: result.invocations.length },
      ...fromStats(simulator.stats()),
    };
  } finally {
    await simulator.close();
  }
}

/** An outcome with the HTTP status behind it, where there is one (e.g. "statusError 429", "skipped 401"). */
function outcomeLabel(d: Awaited<ReturnType<typeof runMdeAutomator>>['devices'][number]): string {
  const failure = 'failure' in d ? d.failure : undefined;
  if (!failure) return d.result;
  if (failure.kind === 'throttled') return `${d.result} 429`;
  if (failure.kind === 'refused') return `${d.result} ${failure.status}${failure.code ? ` ${failure.code}` : ''}`;
  return `${d.result} ${failure.kind}`;
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
