import { firingsBetween, parseCron } from '../../playbooks/cron.js';
import { scheduleRunId } from '../../runs/ids.js';
import type { IntakeDeps } from './deps.js';
import { cachedDirectory } from './deviceDirectory.js';
import { planRun, selectTargets, startRun } from './startRun.js';

export interface SweepResult {
  started: { playbook: string; runId: string; firedAtMs: number; devices: number; created: boolean }[];
}

/**
 * The timer's sweep. A timer can skip firings (it is one instance holding a
 * lease), so each sweep looks back `lookbackMs` and starts a run for every
 * schedule firing in that window; run ids come from (playbook, firing time),
 * so a firing seen by two sweeps starts one run.
 */
export async function sweepSchedules(deps: IntakeDeps, lookbackMs: number): Promise<SweepResult> {
  const nowMs = deps.clock.nowMs();
  const started: SweepResult['started'] = [];
  const directory = cachedDirectory(deps);
  for (const loaded of deps.playbooks) {
    const { playbook } = loaded;
    if (!playbook.schedule || !playbook.triggers.includes('schedule')) continue;
    const cron = parseCron(playbook.schedule.cron);
    if (!cron.ok) {
      deps.logger.log('error', 'playbook schedule is invalid', { playbook: playbook.name, error: cron.errors });
      continue;
    }
    for (const firedAtMs of firingsBetween(cron.value, nowMs - lookbackMs, nowMs)) {
      const runId = scheduleRunId(playbook.name, firedAtMs);
      const plan = await planRun(deps, {
        runId,
        trigger: { kind: 'schedule', playbook: playbook.name, firedAtMs },
        playbook: loaded,
        directory,
        ...(await selectTargets(directory, playbook)),
      });
      const result = await startRun(deps, plan);
      started.push({ playbook: playbook.name, runId, firedAtMs, devices: result.actions.length, created: result.created });
    }
  }
  return { started };
}
