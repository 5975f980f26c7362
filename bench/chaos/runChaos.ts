import { createWriteStream } from 'node:fs';
import { collectRunStatuses } from '../../local/summary.js';
import type { LogLevel } from '../../shared/log.js';
import type { RunStatus } from '../../shared/services/status/runStatus.js';
import { deviceIdOf } from '../workload.js';
import { startChaosStack, type ChaosStack } from './chaosStack.js';
import { startFaultInjection, type ChaosRates, type InjectedCounts } from './faultInjection.js';
import type { FaultKind } from './faultProxy.js';
import { chaosFigures, chaosGoals, type ChaosFigures, type Goal } from './figures.js';
import { readChaosRecords } from './records.js';
import { chaosAlerts, chaosFleet, type ChaosWorkload } from './workload.js';

export interface ChaosOptions {
  workload: ChaosWorkload;
  alerts: number;
  /** Devices of the manual run (the first N of the fleet). */
  manualDevices: number;
  workers: number;
  timeScale: number;
  /**
   * `random`: faults at `rates` for `faultWindowWallS`; `once`: each fault
   * kind once and one worker killed mid-run (the deterministic version in
   * npm test).
   */
  plan: 'random' | 'once';
  rates: ChaosRates;
  faultWindowWallS: number;
  /** The run gives up waiting for every run to end this long (wall) after it started. */
  deadlineWallS: number;
  listLagMs: number;
  reconcileStaleMs: number;
  lockSeconds: number;
  delayMs: number;
  logLevel: LogLevel;
  /** Also write every log line, after its source (`host`, `worker-N`), to this file. */
  logFile?: string;
  say: (line: string) => void;
}

export interface ChaosResult {
  figures: ChaosFigures;
  goals: Goal[];
  allGoalsMet: boolean;
  injected: InjectedCounts & { storage: Record<FaultKind | 'forwarded', number>; defender: Record<FaultKind | 'forwarded', number> };
  wallSeconds: number;
  simulatedMinutes: number;
  /** Whether every run had ended before the deadline (the figures are read either way). */
  finished: boolean;
}

/**
 * One fault-suite run: the stack, the alerts, a manual run and the nightly
 * schedule, faults while the work goes on, then the checks.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const logLines: string[] = [];
  const logFile = options.logFile === undefined ? undefined : createWriteStream(options.logFile);
  const startedWallMs = Date.now();
  const stack = await startChaosStack({
    fleet: chaosFleet(options.workload),
    timeScale: options.timeScale,
    workers: options.workers,
    listLagMs: options.listLagMs,
    reconcileStaleMs: options.reconcileStaleMs,
    lockSeconds: options.lockSeconds,
    delayMs: options.delayMs,
    logLevel: options.logLevel,
    onLogLine: (source, line) => {
      logLines.push(line);
      logFile?.write(`${source} ${line}\n`);
    },
  });
  try {
    const simulatedStartMs = stack.clock.nowMs();
    const alerts = chaosAlerts(options.alerts, options.workload.devices);
    const injection =
      options.plan === 'random'
        ? startFaultInjection(stack, options.rates, { onKill: (w) => options.say(`kill -9 worker ${w}`) })
        : undefined;
    for (const alert of alerts) await stack.observer.storageQueueBus?.send('alerts', { body: alert.body, messageId: alert.messageId });
    options.say(`${alerts.length} alerts sent`);
    const manualRunId = await startManualRun(stack, options.manualDevices);
    options.say(`manual run ${manualRunId} on ${options.manualDevices} devices`);
    if (options.plan === 'once') await injectEachFaultOnce(stack, options.say);

    const expectedRuns = alerts.length + 2;
    const faultsEndWallMs = startedWallMs + options.faultWindowWallS * 1000;
    const deadlineWallMs = startedWallMs + options.deadlineWallS * 1000;
    let finished = false;
    let faultsOn = injection !== undefined;
    for (;;) {
      const runs = await collectRunStatuses(stack.observer.services).catch(() => [] as RunStatus[]);
      finished = runs.length >= expectedRuns && runs.every((r) => r.phase === 'ended') && runs.some((r) => r.trigger.kind === 'schedule');
      if (faultsOn && (finished || Date.now() > faultsEndWallMs)) {
        await injection?.stop();
        faultsOn = false;
        options.say(`faults off after ${Math.round((Date.now() - startedWallMs) / 1000)} s wall`);
      }
      if (finished || Date.now() > deadlineWallMs) break;
      options.say(progressLine(runs, expectedRuns, stack));
      await new Promise((resolve) => setTimeout(resolve, 3_000));
    }
    // New actions stay out of the simulator's lists for the list lag: let it pass before they are read.
    await new Promise((resolve) => setTimeout(resolve, stack.clock.toWallMs(options.listLagMs) + 500));
    const figures = chaosFigures(await readChaosRecords(stack, alerts, logLines));
    const goals = chaosGoals(figures);
    return {
      figures,
      goals,
      allGoalsMet: goals.every((g) => g.met),
      injected: {
        ...(injection?.counts() ?? { kills: 1, simulator5xxBursts: 1 }),
        storage: sumCounts(stack.storageProxies.map((p) => p.counts())),
        defender: stack.defenderProxy.counts(),
      },
      wallSeconds: Math.round((Date.now() - startedWallMs) / 1000),
      simulatedMinutes: Math.round((stack.clock.nowMs() - simulatedStartMs) / 60_000),
      finished,
    };
  } finally {
    await stack.stop();
    logFile?.end();
  }
}

/** POST /api/runs on the host, with an idempotency key, until it is accepted (its storage may be failing). */
async function startManualRun(stack: ChaosStack, devices: number): Promise<string> {
  const body = JSON.stringify({
    playbook: 'chaos-manual',
    devices: Array.from({ length: devices }, (_, i) => deviceIdOf(i)),
    reason: 'fault suite: manual run',
    idempotencyKey: 'chaos-manual-run',
  });
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(`${stack.apiUrl}/api/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    }).catch(() => undefined);
    if (response?.status === 202) return ((await response.json()) as { runId: string }).runId;
    if (attempt >= 20) throw new Error(`the manual run was refused: ${response?.status ?? 'no answer'} ${(await response?.text()) ?? ''}`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

/** The deterministic plan: every storage and Defender fault kind once, a burst of one 500, one worker killed while work is in flight. */
async function injectEachFaultOnce(stack: ChaosStack, say: (line: string) => void): Promise<void> {
  for (const proxy of stack.storageProxies)
    for (const kind of ['busy', 'reset', 'delay', 'ambiguousWrite'] as const) proxy.injectNext(kind);
  for (const kind of ['reset', 'delay', 'ambiguousWrite'] as const) stack.defenderProxy.injectNext(kind);
  stack.simulator.setFaults({ failNextRequests: 1 });
  // Mid-run: once some action was created, so its messages are in flight.
  const deadline = Date.now() + 60_000;
  while (stack.simulator.stats().actionsCreated === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
  const worker = 0;
  say(`kill -9 worker ${worker}`);
  await stack.workers.killAndRestart(worker);
}

function sumCounts<K extends string>(counts: Record<K, number>[]): Record<K, number> {
  const total = {} as Record<K, number>;
  for (const c of counts) for (const [k, v] of Object.entries(c) as [K, number][]) total[k] = (total[k] ?? 0) + v;
  return total;
}

function progressLine(runs: readonly RunStatus[], expected: number, stack: ChaosStack): string {
  const phases = new Map<string, number>();
  for (const run of runs) phases.set(run.phase, (phases.get(run.phase) ?? 0) + 1);
  const stats = stack.simulator.stats();
  return `runs ${runs.length}/${expected} (${[...phases].map(([p, n]) => `${p} ${n}`).join(', ')}); actions created ${stats.actionsCreated}`;
}
