import { nextPollDue } from './holds.js';
import type { PacingState } from './state.js';

/** Why the poll-tick chain is broken: nothing scheduled while polls are due, a tick long overdue, or one far later than needed. */
export type TickLoss = 'none-scheduled' | 'overdue' | 'late';

/**
 * The watchdog's question: is the poll tick lost at `nowMs`? Not while a tick
 * is on record and due within `graceMs` of when it is needed, nor while one
 * was claimed within `graceMs` (it is being handled and will schedule the
 * next itself). Undefined: the chain is alive, or no open action needs it.
 */
export function lostTick(state: PacingState, nowMs: number, graceMs: number): TickLoss | undefined {
  const next = nextPollDue(state);
  if (next === undefined) return undefined;
  const { atMs, claimedMs = 0 } = state.tick;
  if (atMs !== 0) {
    if (atMs < nowMs - graceMs) return 'overdue';
    return atMs > Math.max(next, nowMs) + graceMs ? 'late' : undefined;
  }
  return claimedMs >= nowMs - graceMs ? undefined : 'none-scheduled';
}
