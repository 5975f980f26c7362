import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ScaledClock } from '../shared/clock.js';
import { loadConfig } from '../shared/config.js';
import { createLogger, type LogSink } from '../shared/log.js';
import { startAzurite, type RunningAzurite } from '../local/azurite.js';
import {
  SimulatorCredential,
  parseFleet,
  startSimulator,
  type FleetInput,
  type RunningSimulator,
  type SimulatorSettingsInput,
} from '../simulator/index.js';
import { startWorkers, type Worker } from '../local/workers.js';
import type { ConsumerEvent } from '../local/queueConsumer.js';
import { BENCH_PLAYBOOKS_DIR } from './workload.js';
import type { RunStatus } from '../shared/services/status/runStatus.js';
import type { Principal } from '../shared/auth/principal.js';
import { MANUAL_RUN_MAX_DEVICES } from '../shared/services/intake/manualRuns.js';

/** Who the benchmark's runs are recorded as requested by. */
const BENCH_PRINCIPAL: Principal = { objectId: 'pacing-bench', name: 'pacing benchmark', kind: 'app', roles: ['Responder.Run'] };

/**
 * The responder's settings for a benchmark at this time scale: defaults, except the send lead, which stands for
 * wall-clock time spent on our own bookkeeping. At x30 the default 2 s would leave 67 wall ms for it; give it 100
 * wall ms (production has 2,000). The safety margin stays at its default: calls are recorded at answer time, on the
 * simulator's own clock.
 */
export function benchSettingsFor(timeScale: number): Record<string, string> {
  return { PACING_SEND_LEAD_MS: String(Math.min(10_000, Math.max(2_000, 100 * timeScale))) };
}

export interface PacingCluster {
  clock: ScaledClock;
  azurite: RunningAzurite;
  simulator: RunningSimulator;
  workers: Worker[];
  /** Starts one manual run of a bench playbook (default quick-triage) on these devices (at most MANUAL_RUN_MAX_DEVICES). */
  startRun(deviceIds: string[], playbook?: string): Promise<string>;
  /** Starts as many manual runs as it takes (MANUAL_RUN_MAX_DEVICES each, as an operator would) for any number of devices. */
  startRuns(deviceIds: string[], playbook?: string): Promise<string[]>;
  /**
   * Sends alert messages to the alerts queue, as the alert source would: each
   * starts a run of the playbook that answers it (the workers' alert intake).
   */
  sendAlerts(alerts: readonly { body: unknown; messageId: string }[]): Promise<void>;
  /** Resolves when the run has ended (or rejects after `wallTimeoutMs`). */
  waitForRun(runId: string, wallTimeoutMs: number): Promise<RunStatus>;
  stop(): Promise<void>;
}

/**
 * Azurite + the simulator + N responder workers on one scaled clock: the
 * test bed for scale-out tests and the pacing benchmark.
 */
export async function startPacingCluster(options: {
  fleet: FleetInput;
  timeScale: number;
  workers: number;
  settings?: Record<string, string>;
  simulatorSettings?: SimulatorSettingsInput;
  fetch?: typeof fetch;
  logSink?: LogSink;
  onEvent?: (worker: number, event: ConsumerEvent) => void;
  /**
   * Azurite keeps its data in a temporary folder (removed at stop) instead of in memory. In memory it stores each
   * queue message as an extent of its own, and from 10 minutes after its start its garbage collector deletes the
   * consumed ones one by one, each deletion re-indexing the rest: seconds in which it answers nothing. On disk,
   * messages share 64 MB extent files.
   */
  azuriteOnDisk?: boolean;
}): Promise<PacingCluster> {
  const clock = new ScaledClock({ scale: options.timeScale });
  const azuriteFolder = options.azuriteOnDisk ? mkdtempSync(path.join(tmpdir(), 'bench-azurite-')) : undefined;
  const azurite = await startAzurite(azuriteFolder ? { location: azuriteFolder } : {});
  const simulator = await startSimulator({ fleet: parseFleet(options.fleet), clock, settings: options.simulatorSettings });
  const config = loadConfig({
    STORAGE_CONNECTION_STRING: azurite.connectionString,
    BUS_KIND: 'storage-queues',
    DEFENDER_API_BASE_URL: simulator.url,
    DEFENDER_ALLOW_HTTP_LOOPBACK: 'true',
    PLAYBOOKS_DIR: BENCH_PLAYBOOKS_DIR,
    TIME_SCALE: String(options.timeScale),
    ...options.settings,
  });
  const logger = createLogger(options.logSink ?? (() => undefined));
  const pool = await startWorkers({
    count: options.workers,
    config,
    clock,
    credential: new SimulatorCredential({ clock }),
    logger,
    fetch: options.fetch,
    onEvent: options.onEvent,
  });
  const workers = pool.workers;
  const first = workers[0];
  if (!first) throw new Error('a cluster needs at least one worker');
  // As the Function App's directory timer would have done before the work arrives.
  await first.services.refreshDeviceDirectory();
  // The Function App's timer also runs the poll-tick watchdog (every 5 minutes); so does the cluster.
  const watchdog = setInterval(() => void first.services.reviveTicks().catch(() => undefined), clock.toWallMs(5 * 60_000));
  const starter = first;
  async function startRun(deviceIds: string[], playbook = 'quick-triage'): Promise<string> {
    const started = await starter.services.startManualRun({ playbook, devices: deviceIds, reason: 'pacing benchmark' }, BENCH_PRINCIPAL);
    if (!started.ok) throw new Error(JSON.stringify(started.errors));
    return started.value.run.runId;
  }
  return {
    clock,
    azurite,
    simulator,
    workers,
    startRun,
    async startRuns(deviceIds, playbook) {
      const runIds: string[] = [];
      for (let i = 0; i < deviceIds.length; i += MANUAL_RUN_MAX_DEVICES)
        runIds.push(await startRun(deviceIds.slice(i, i + MANUAL_RUN_MAX_DEVICES), playbook));
      return runIds;
    },
    async sendAlerts(alerts) {
      for (const alert of alerts) await first.services.deps.bus.send('alerts', alert);
    },
    async waitForRun(runId, wallTimeoutMs) {
      const deadline = Date.now() + wallTimeoutMs;
      for (;;) {
        const status = await first.services.runStatus(runId);
        if (status?.phase === 'ended') return status;
        if (Date.now() > deadline) throw new Error(`run ${runId} did not end in ${wallTimeoutMs} ms: ${summarise(status)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async stop() {
      clearInterval(watchdog);
      await pool.stop();
      await simulator.close();
      await azurite.stop();
      if (azuriteFolder) rmSync(azuriteFolder, { recursive: true, force: true });
    },
  };
}

function summarise(status: RunStatus | undefined): string {
  if (!status) return 'no run';
  const counts = new Map<string, number>();
  for (const d of status.devices) counts.set(d.actionStatus ?? d.state, (counts.get(d.actionStatus ?? d.state) ?? 0) + 1);
  return [...counts].map(([k, v]) => `${k}: ${v}`).join(', ');
}
