import { isTerminal } from '../shared/defender/types.js';
import { E_FAIL, HRESULT_TIMEOUT, type ActionRecord, type CommandPlan, type CommandWrite } from './actionModel.js';
import type { ValidatedCommand } from './commands.js';
import type { SimulatorSettings } from './settings.js';

/**
 * How a live response action moves, computed lazily from the clock: every
 * request first advances each open action to "now", so jumping a manual
 * clock three days ahead replays three days of progress at once.
 *
 *   created ──(device online + pickup delay)──▶ InProgress ──▶ command 0 ▶ 1 ▶ … ──▶ Succeeded
 *      │                                                   └─ first failure ─▶ Failed / TimeOut
 *      └──(still offline after offlineQueueMs)──▶ TimeOut        (later commands stay Created)
 *
 * A command's outcome is planned when it starts (library and device files as
 * they are at that moment) and takes effect, writes included, when it ends.
 */
export interface ExecutionEnv {
  readonly settings: SimulatorSettings;
  /** Earliest time ≥ atMs the device is online, undefined if never. */
  nextOnlineAtMs(atMs: number): number | undefined;
  plan(command: ValidatedCommand): CommandPlan;
  apply(writes: readonly CommandWrite[]): void;
}

function finish(a: ActionRecord, status: ActionRecord['status'], atMs: number, errorHResult: number): void {
  a.status = status;
  a.terminalMs = atMs;
  a.lastUpdateMs = atMs;
  a.progressMs = atMs;
  a.errorHResult = errorHResult;
}

/** Advances one action through every event that happens at or before `nowMs`. */
export function advanceAction(a: ActionRecord, nowMs: number, env: ExecutionEnv): void {
  while (!isTerminal(a.status)) {
    if (a.status === 'Pending') {
      const deadline = a.createdMs + env.settings.offlineQueueMs;
      const online = env.nextOnlineAtMs(a.createdMs);
      const pickup = online === undefined ? undefined : online + env.settings.pickupDelayMs;
      if (pickup === undefined || pickup > deadline) {
        if (nowMs >= deadline) finish(a, 'TimeOut', deadline, HRESULT_TIMEOUT);
        return;
      }
      if (nowMs < pickup) return;
      a.status = 'InProgress';
      a.progressMs = pickup;
      a.lastUpdateMs = pickup;
      continue;
    }
    const command = a.commands[a.cursor];
    if (!command) {
      finish(a, 'Succeeded', a.progressMs, 0);
      return;
    }
    if (command.startMs === undefined || command.plan === undefined) {
      command.startMs = a.progressMs;
      command.plan = env.plan(command.command);
      a.lastUpdateMs = a.progressMs;
    }
    const plan = command.plan;
    const endMs = command.startMs + plan.durationMs;
    if (nowMs < endMs) return;
    command.endMs = endMs;
    if (!plan.ok) {
      command.status = 'Failed';
      command.errors.push(...plan.errors);
      finish(a, plan.actionStatus, endMs, plan.actionStatus === 'TimeOut' ? HRESULT_TIMEOUT : E_FAIL);
      return;
    }
    env.apply(plan.writes);
    command.status = 'Completed';
    if (plan.result) command.result = plan.result;
    a.cursor += 1;
    a.progressMs = endMs;
    a.lastUpdateMs = endMs;
  }
}

/**
 * Cancels an open action (already advanced to `nowMs`). A command that is
 * running stops: it fails at `nowMs` and its writes never happen (simulator
 * choice). Later commands stay Created.
 */
export function cancelAction(a: ActionRecord, nowMs: number, requestor: string, comment: string): void {
  const running = a.commands[a.cursor];
  if (a.status === 'InProgress' && running?.startMs !== undefined && running.endMs === undefined) {
    running.status = 'Failed';
    running.endMs = nowMs;
    running.errors.push(`The command was stopped because the action was cancelled by ${requestor}.`);
  }
  a.cancellation = { requestor, comment, atMs: nowMs };
  finish(a, 'Cancelled', nowMs, a.errorHResult);
}
