import type { ChaosOptions, ChaosResult } from './runChaos.js';

const percent = (share: number): string => `${+(share * 100).toFixed(2)}%`;

/** The text report: the workload, the faults and their rates, then each figure beside its goal. */
export function formatChaosReport(options: ChaosOptions, result: ChaosResult): string {
  const { rates, workload } = options;
  const { injected, figures } = result;
  const lines = [
    `Fault suite: ${result.figures.alertsIn} alerts, a manual run (${options.manualDevices} devices) and a schedule over ${workload.devices} devices ` +
      `(${percent(workload.offlineShare)} offline up to ${workload.offlineUntilMaxMs / 60_000} simulated min), ${options.workers} worker processes, time x${options.timeScale}`,
    `${result.wallSeconds} s wall, ${result.simulatedMinutes} simulated min; every run ended before the deadline: ${result.finished ? 'yes' : 'no'}`,
    `RECONCILE_STALE_MS lowered to ${options.reconcileStaleMs / 60_000} simulated min for the run (default 120) so the sweep acts within it.`,
    '',
    options.plan === 'random' ? `Faults, for ${options.faultWindowWallS} s wall at most:` : 'Faults: each kind once',
    `  kill -9 of a worker every ${rates.killEveryWallS.join('-')} s wall: ${injected.kills} kills`,
    `  simulator 500s: ${rates.simulator5xxBurst} every ${rates.simulator5xxEveryWallS} s wall (${injected.simulator5xxBursts} bursts)`,
    `  Defender API: resets ${percent(rates.defender.reset)} (${injected.defender.reset}), ${options.delayMs} ms slow answers ${percent(rates.defender.delay)} (${injected.defender.delay}), ` +
      `lost answers to committed POSTs ${percent(rates.defender.ambiguousWrite)} of writes (${injected.defender.ambiguousWrite}), of ${sumOf(injected.defender)} requests`,
    `  list lag ${options.listLagMs / 1000} simulated s; another app sharing the tenant's quota`,
    `  storage: 503s ${percent(rates.storage.busy)} (${injected.storage.busy}), resets ${percent(rates.storage.reset)} (${injected.storage.reset}), ` +
      `${options.delayMs} ms delays ${percent(rates.storage.delay)} (${injected.storage.delay}), lost answers to committed writes ${percent(rates.storage.ambiguousWrite)} of writes (${injected.storage.ambiguousWrite}), of ${sumOf(injected.storage)} requests`,
    '',
    ...result.goals.map((g) => `${g.met ? 'met    ' : 'NOT MET'}  ${g.name}: ${g.figure} (goal: ${g.goal})`),
    '',
    `dead letters: ${figures.deadLetters}`,
    ...detail('alerts without an outcome', figures.alertsWithoutOutcome),
    ...detail('alerts with several outcomes', figures.alertsWithSeveralOutcomes),
    ...detail('intents with several actions', figures.intentsWithSeveralActions),
    ...detail('completed, not collected', figures.completedNotCollected),
    ...detail('blobs that differ', figures.blobsMismatched),
    ...detail('runs not ended', figures.runsNotEnded),
    ...Object.entries(figures.secretsInLogs).map(([marker, n]) => `log lines with ${marker}: ${n}`),
  ];
  return lines.join('\n');
}

function detail(name: string, items: readonly string[]): string[] {
  return items.length === 0
    ? []
    : [`${name}: ${items.slice(0, 10).join('; ')}${items.length > 10 ? ` and ${items.length - 10} more` : ''}`];
}

function sumOf(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}
