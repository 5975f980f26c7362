import { isTerminal } from '../../defender/types.js';
import { ThrottledError, TransientError, describeError } from '../../errors.js';
import type { Run } from '../../runs/model.js';
import { markRedriven, recordEvidenceFailure } from '../../runs/transitions.js';
import { updateAction } from '../../runs/updateAction.js';
import { enqueueCollect } from '../evidence/queueing.js';
import { requeueRecentRunEnd } from '../notify/recentRunEnd.js';
import { applyActionStatus, nextPollMs } from '../polling/actionStatus.js';
import { ensurePollTick } from '../polling/pollTick.js';
import { enqueueSubmit } from '../submission/queueing.js';
import type { ReconcileDeps } from './deps.js';
import { planRedrives, type Redrive } from './plan.js';

/** The sweep's cursor in the watermark store: the `createdMs` its next page starts below (0: a new pass from now). */
export const SWEEP_CURSOR = 'reconcile-sweep';

export interface SweepOutcome {
  runsRead: number;
  /** True when this firing read the last page of a pass (the next one starts again from the newest run). */
  passEnded: boolean;
  resubmitted: number;
  repolled: number;
  recollected: number;
  /** Results recorded as failed for good after the last re-drive made no progress. */
  gaveUp: number;
  /** Actions re-driven RECONCILE_MAX_REDRIVES times without progress, left for an operator. */
  leftForOperator: number;
  /** Re-reads put off to the next firing (status budget spent, a passing fault). */
  putOff: number;
  /** Runs read that ended within NOTIFY_RESEND_ENDED_WITHIN_MS, their run-ended notification queued again (a duplicate when it went out). */
  runEndsRequeued: number;
}

/**
 * One firing of the reconciliation sweep: reads the next page of runs
 * created within the horizon (newest first, resuming where the last firing
 * stopped) and re-drives every device action that made no progress for
 * RECONCILE_STALE_MS (plan.ts says how), and queues again the run-ended
 * notification of a run that ended within NOTIFY_RESEND_ENDED_WITHIN_MS
 * (recentRunEnd.ts: a duplicate, dropped, unless its first queueing and its
 * owed record were both lost). Bounded: at most
 * RECONCILE_RUNS_PER_FIRING runs and their re-drives per firing.
 */
export async function sweepRuns(deps: ReconcileDeps): Promise<SweepOutcome> {
  const { horizonMs, runsPerFiring, staleMs, maxRedrives } = deps.config.reconcile;
  const nowMs = deps.clock.nowMs();
  const createdFromMs = Math.max(0, nowMs - horizonMs);
  const stored = await deps.watermarks.load(SWEEP_CURSOR);
  const resumeBelowMs = stored?.value.watermarkMs ?? 0;
  const page = await deps.runs.listRuns({
    limit: runsPerFiring,
    createdFromMs,
    ...(resumeBelowMs > createdFromMs ? { createdBeforeMs: resumeBelowMs } : {}),
  });
  const { holds } = await deps.pacer.snapshot();
  const outcome: SweepOutcome = {
    runsRead: 0,
    passEnded: page.continuationToken === undefined,
    resubmitted: 0,
    repolled: 0,
    recollected: 0,
    gaveUp: 0,
    leftForOperator: 0,
    putOff: 0,
    runEndsRequeued: 0,
  };
  let rereadsAllowed = true;
  for (const run of page.runs) {
    const view = await deps.runs.getRun(run.runId);
    outcome.runsRead += 1;
    if (!view) continue;
    if (await requeueRecentRunEnd(deps, view)) outcome.runEndsRequeued += 1;
    for (const step of planRedrives(view, holds, { nowMs, staleMs, maxRedrives })) {
      if (step.kind === 'repoll' && !rereadsAllowed) {
        outcome.putOff += 1;
        continue;
      }
      const done = await carryOut(deps, step);
      if (done === 'put-off') rereadsAllowed = false;
      count(outcome, step, done);
    }
  }
  const next = outcome.passEnded ? 0 : nextPageBound(page.runs);
  // A conflict means another firing moved the cursor meanwhile: its position stands.
  await deps.watermarks.save(SWEEP_CURSOR, { watermarkMs: next, recent: {} }, stored?.etag);
  return outcome;
}

/** Where the next page starts: below the last run read, re-reading its millisecond unless the whole page shared one. */
function nextPageBound(runs: readonly Run[]): number {
  const last = runs.at(-1)?.createdMs ?? 0;
  return runs[0]?.createdMs === last ? last : last + 1;
}

type Done = 'done' | 'skipped' | 'put-off';

async function carryOut(deps: ReconcileDeps, step: Redrive): Promise<Done> {
  const { action } = step;
  const ids = { runId: action.runId, deviceId: action.deviceId, actionId: action.machineActionId };
  const log = deps.logger.child(ids);
  const nowMs = deps.clock.nowMs();
  const staleMin = Math.round((nowMs - action.updatedMs) / 60_000);
  switch (step.kind) {
    case 'resubmit': {
      const saved = await redriven(
        deps,
        step,
        `re-driven by the reconciliation sweep: ${action.state} for ${staleMin} min without progress`,
      );
      if (!saved) return 'skipped';
      await enqueueSubmit(deps, saved, nowMs, 'reconcile');
      log.log('warn', 'device action re-driven: its submission made no progress', { state: action.state, staleMin });
      return 'done';
    }
    case 'repoll':
      return repoll(deps, step);
    case 'recollect': {
      const saved = await redriven(deps, step, `re-driven by the reconciliation sweep: results uncollected for ${staleMin} min`);
      if (!saved) return 'skipped';
      const redrive = saved.redrives ?? 1;
      for (const index of step.commandIndexes)
        await enqueueCollect(deps, saved, step.machineActionId, index, { attempt: 0, notBeforeMs: nowMs, redrive });
      log.log('warn', 'collection re-driven: results made no progress', { commandIndexes: step.commandIndexes.join(','), staleMin });
      return 'done';
    }
    case 'give-up': {
      const reason = `ReconciliationGaveUp: no collection progress after ${action.redrives ?? 0} re-drive(s)`;
      await updateAction(deps.runs, action.runId, action.deviceId, (a) =>
        step.commandIndexes.reduce<typeof a | undefined>(
          (acc, commandIndex) => recordEvidenceFailure(acc ?? a, { commandIndex, reason }, nowMs) ?? acc,
          undefined,
        ),
      );
      log.log('error', 'results recorded as failed for good: re-driving them made no progress', {
        commandIndexes: step.commandIndexes.join(','),
      });
      return 'done';
    }
    case 'needs-operator':
      log.log('error', 'device action made no progress after every re-drive; left for an operator', {
        state: action.state,
        redrives: action.redrives ?? 0,
        staleMin,
      });
      return 'done';
  }
}

/** Counts the re-drive on the record, if it is still the one the plan read (else another worker moved it on). */
function redriven(deps: ReconcileDeps, step: Redrive, why: string) {
  const seen = step.action;
  return updateAction(deps.runs, seen.runId, seen.deviceId, (a) =>
    a.state === seen.state && a.updatedMs === seen.updatedMs && a.redrivenMs === seen.redrivenMs
      ? markRedriven(a, why, deps.clock.nowMs())
      : undefined,
  ).then((saved) => (saved && saved.redrives !== seen.redrives ? saved : undefined));
}

/** Reads an action the pacer no longer follows, applies what Defender says and, while it is still open, follows it again. */
async function repoll(deps: ReconcileDeps, step: Extract<Redrive, { kind: 'repoll' }>): Promise<Done> {
  const { action, machineActionId } = step;
  let current;
  try {
    current = await deps.defender.getMachineAction(machineActionId);
  } catch (error) {
    if (!(error instanceof ThrottledError || error instanceof TransientError)) throw error;
    deps.logger.log('info', 're-reading an unfollowed action put off to the next firing', {
      runId: action.runId,
      deviceId: action.deviceId,
      error: describeError(error),
    });
    return 'put-off';
  }
  // Counted before it is applied (which may move the record on), so repeated re-reads stop at the limit.
  await redriven(deps, step, `re-read by the reconciliation sweep: the pacer no longer followed it (${current.status})`);
  const submittedMs = action.submittedMs ?? action.updatedMs;
  await applyActionStatus(deps, { runId: action.runId, deviceId: action.deviceId, submittedMs }, current);
  if (!isTerminal(current.status)) {
    const atMs = nextPollMs(current.status, submittedMs, deps.clock.nowMs(), deps.config.polling);
    await deps.pacer.recordSubmitted(action.deviceId, action.runId, machineActionId, atMs);
    await ensurePollTick(deps, atMs);
  }
  deps.logger.log('warn', 'unfollowed action re-read', {
    runId: action.runId,
    deviceId: action.deviceId,
    actionId: machineActionId,
    status: current.status,
  });
  return 'done';
}

function count(outcome: SweepOutcome, step: Redrive, done: Done): void {
  if (done !== 'done') {
    if (done === 'put-off') outcome.putOff += 1;
    return;
  }
  const key = {
    resubmit: 'resubmitted',
    repoll: 'repolled',
    recollect: 'recollected',
    'give-up': 'gaveUp',
    'needs-operator': 'leftForOperator',
  } as const;
  outcome[key[step.kind]] += 1;
}
