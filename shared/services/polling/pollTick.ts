import type { DeliveryInfo } from '../../bus/port.js';
import { parseOrDeadLetter } from '../../bus/parseOrDeadLetter.js';
import { pollTickMessageSchema } from '../../bus/messages.js';
import type { MachineAction } from '../../defender/types.js';
import { ThrottledError, describeError } from '../../errors.js';
import type { OpenHold } from '../../pacing/holds.js';
import { applyActionStatus } from './actionStatus.js';
import type { PollingDeps, TickDeps } from './deps.js';

export type TickOutcome = 'polled' | 'stale' | 'throttled' | 'dead-lettered';

/** Ids per GET (`$filter=id in (...)`, or one `id eq` each where the API refuses `in`: see DefenderClient); keeps the URL short. */
const BATCH = 25;
/** Ticks never come closer together than this. */
const MIN_TICK_GAP_MS = 5_000;

/**
 * One tenant-wide poll tick instead of one poll per action: a single GET
 * (`id in (...)`) reads every open action that is due, each action's next
 * look is planned from its status (soon while InProgress, rarely while
 * Pending on an offline device), and the next tick is scheduled for the
 * earliest of them. Status calls come out of the shared 100/min, 1,500/h
 * budget. A stale duplicate tick does nothing.
 */
export async function handlePollTick(deps: PollingDeps, body: unknown, delivery: DeliveryInfo): Promise<TickOutcome> {
  const parsed = await parseOrDeadLetter(deps.bus, 'polls', pollTickMessageSchema, body, delivery);
  if (!parsed.ok) return 'dead-lettered';
  const due = await deps.pacer.claimTick(parsed.value.seq);
  if (!due) return 'stale';
  // The actions claimed are this tick's to look at (no other tick reads them meanwhile); what it could not look at it gives back.
  const unseen = new Set(due);
  try {
    for (let i = 0; i < due.length; i += BATCH) {
      // Still at work (a long tick): what it has not reached yet stays its own for the grace from now.
      if (i > 0) await deps.pacer.keepLooks([...unseen]);
      await pollBatch(deps, due.slice(i, i + BATCH), unseen);
    }
  } catch (error) {
    const retryAtMs = deps.clock.nowMs() + (error instanceof ThrottledError ? error.retryAfterMs : 0);
    await deps.pacer.giveBackLooks([...unseen], retryAtMs);
    if (!(error instanceof ThrottledError)) {
      deps.logger.log('error', 'poll tick failed; it will be retried', { tickMs: parsed.value.tickMs, error: describeError(error) });
      throw error;
    }
    await scheduleTick(deps, retryAtMs);
    return 'throttled';
  }
  const next = await deps.pacer.nextPollDue();
  if (next !== undefined) await scheduleTick(deps, Math.max(next, deps.clock.nowMs() + MIN_TICK_GAP_MS));
  return 'polled';
}

/** Reads the batch's actions in one GET and applies each one's status; `unseen` loses each action once it is applied. */
async function pollBatch(deps: PollingDeps, holds: OpenHold[], unseen: Set<OpenHold>): Promise<void> {
  const ids = holds.flatMap((h) => (h.actionId ? [h.actionId] : []));
  const found = new Map<string, MachineAction>((await deps.defender.listMachineActions({ ids })).map((a) => [a.id, a]));
  for (const hold of holds) {
    await pollOne(deps, hold, found);
    unseen.delete(hold);
  }
}

/** Applies what Defender shows of one action; not listed yet (just created): look again soon. */
async function pollOne(deps: PollingDeps, hold: OpenHold, found: ReadonlyMap<string, MachineAction>): Promise<void> {
  if (!hold.actionId) return;
  const action = found.get(hold.actionId);
  if (!action) {
    await deps.pacer.planPoll(hold.deviceId, hold.actionId, deps.clock.nowMs() + deps.config.polling.inProgressMs, 'Unlisted');
    return;
  }
  await applyActionStatus(
    deps,
    { runId: hold.runId, deviceId: hold.deviceId, submittedMs: hold.submittedMs, ...(hold.waited ? { waited: true } : {}) },
    action,
  );
}

/** Makes sure a tick will come by `atMs` (a no-op when one is already due by then). */
export async function ensurePollTick(deps: TickDeps, atMs: number): Promise<void> {
  await scheduleTick(deps, atMs);
}

/**
 * The watchdog (run by the timer): revives the tick chain only when it is
 * lost (nothing scheduled while actions are open, a tick long overdue or far
 * later than needed), never while a tick is due in time or being handled.
 */
export async function reviveTicks(deps: TickDeps & Pick<PollingDeps, 'logger'>): Promise<boolean> {
  const revived = await deps.pacer.reviveTick();
  if (revived === undefined) return false;
  await sendTick(deps, revived.seq, revived.atMs);
  deps.logger.log('warn', 'poll tick revived by the watchdog', { dueMs: revived.atMs, loss: revived.loss });
  return true;
}

async function scheduleTick(deps: TickDeps, atMs: number): Promise<boolean> {
  const seq = await deps.pacer.scheduleTick(atMs);
  if (seq === undefined) return false;
  await sendTick(deps, seq, atMs);
  return true;
}

async function sendTick(deps: TickDeps, seq: number, atMs: number): Promise<void> {
  await deps.bus.send('polls', {
    body: { seq, tickMs: atMs },
    messageId: `tick.${seq}`,
    notBeforeMs: atMs,
    properties: { seq, tickMs: atMs },
  });
}
