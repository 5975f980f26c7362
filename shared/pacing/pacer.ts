import type { Clock } from '../clock.js';
import { GroupCommitter, type CasStore, type Change } from './groupCommit.js';
import {
  actionRecorded,
  clearDeviceBusy,
  dueForPoll,
  markDeviceBusy,
  nextPollDue,
  planPoll,
  recordSubmitted,
  releaseHold,
  takeLooks,
  type OpenHold,
} from './holds.js';
import { keepPlace, leaveQueue } from './deviceQueue.js';
import { handOver, type HandOver } from './handOver.js';
import type { PacingLimits } from './limits.js';
import { callRefused } from './learnedCeiling.js';
import { bookSlots, callAnswered, requestSlot, type SlotDecision } from './sendSlots.js';
import { prune, type PacingState } from './state.js';
import { takeStatusCalls } from './statusBudget.js';
import { lostTick, type TickLoss } from './tickWatch.js';

/**
 * Where the tenant-wide pacing state lives. Writes are compare-and-swap on an
 * etag, so any number of workers sharing one store agree (Azure Table
 * Storage in Azure and locally; an in-memory fake in unit tests, held to
 * the same conformance suite).
 */
export type PacingStore = CasStore<PacingState>;

/**
 * Compare-and-swap attempts on the pacing state before giving up (the message is then retried by its queue).
 * Above the default: every instance writes this one tenant-wide document; three workers in the scale-out
 * test lose the race ten times in a row.
 */
const PACING_CAS_ATTEMPTS = 100;

/**
 * How long this instance trusts what it last saw of a full ledger (see Pacer.bookSlots). A reservation used
 * (its message admitted) or given back (a cancel) may make room sooner; the devices of runs started meanwhile
 * ask for their own slots when their messages come (requestSlot), so all they lose is being booked in one write.
 */
export const LEDGER_FULL_HINT_MS = 5_000;

/**
 * Applies the pure pacing rules to the shared state with optimistic
 * concurrency: read, decide, write if unchanged, else re-read and decide
 * again (changes made at once in one process share one write: see
 * groupCommit.ts). Two workers racing for the last slot:
 *
 *   worker A: load(etag 7) -> decide admit -> save(etag 7) ok
 *   worker B: load(etag 7) -> decide admit -> save(etag 7) conflict
 *             load(etag 8) -> decide wait  -> (nothing written)
 */
export class Pacer {
  constructor(
    private readonly store: PacingStore,
    private readonly clock: Clock,
    readonly limits: PacingLimits,
    /** A tick is considered lost when it is this late. */
    private readonly tickGraceMs: number = 10 * 60_000,
  ) {
    this.committer = new GroupCommitter(store, clock, PACING_CAS_ATTEMPTS);
  }

  private readonly committer: GroupCommitter<PacingState>;

  /** Nothing can be booked before this instant (epoch ms), as this instance last saw the ledger: bookSlots reads nothing until then. */
  private ledgerFullUntilMs = 0;

  requestSlot(request: { deviceId: string; runId: string }): Promise<SlotDecision> {
    return this.update((state, nowMs) => {
      const decision = requestSlot(state, nowMs, this.limits, request);
      const writes = decision.kind === 'admit' || decision.kind === 'reserved' || decision.kind === 'queued';
      return { next: writes ? decision.state : undefined, result: decision };
    });
  }

  /**
   * Reserves send slots for a run's devices in one write (see sendSlots.bookSlots); returns each booked device's
   * slot. Once it has seen the ledger full, this instance books nothing, without reading the tenant-wide record,
   * for LEDGER_FULL_HINT_MS (on the injected clock): an alert storm past the reservation cap costs no read per
   * alert. Booking nothing is always safe: each unbooked device's message asks for its own slot (requestSlot),
   * which applies every limit.
   */
  bookSlots(requests: readonly { deviceId: string; runId: string }[]): Promise<Map<string, number>> {
    if (requests.length === 0 || this.clock.nowMs() < this.ledgerFullUntilMs) return Promise.resolve(new Map<string, number>());
    return this.update((state, nowMs) => {
      const { state: next, booked, ledgerFull } = bookSlots(state, nowMs, this.limits, requests);
      this.ledgerFullUntilMs = ledgerFull ? nowMs + LEDGER_FULL_HINT_MS : 0;
      return { next: booked.size > 0 ? next : undefined, result: booked };
    });
  }

  /**
   * Records the action a call created (the hold the poll tick follows) and,
   * for a call this worker just made, when it was answered: one write.
   */
  recordSubmitted(deviceId: string, runId: string, actionId: string, firstPollMs: number, answeredSlotMs?: number): Promise<void> {
    return this.update((state, nowMs) => {
      const answered = answeredSlotMs === undefined ? state : callAnswered(state, answeredSlotMs, nowMs);
      return {
        next: clearDeviceBusy(
          recordSubmitted(answered, deviceId, runId, actionId, firstPollMs, nowMs, this.limits.sessionHoldMs),
          deviceId,
        ),
        result: undefined,
      };
    });
  }

  /** Records when the call admitted at `admittedMs` was answered (see sendSlots.callAnswered). */
  callAnswered(admittedMs: number): Promise<void> {
    return this.update((state, nowMs) => ({ next: callAnswered(state, admittedMs, nowMs), result: undefined }));
  }

  /**
   * The run is done with the device (its action ended, it was cancelled or
   * refused): its hold, and its place in the device's line, are given up, and
   * in the same write the device goes to the first run waiting for it
   * (handOver.ts). Returns that hand-over: the caller sends the run's message
   * for its slot (services/submission/handOver.ts).
   *
   * With `keepPlaceUntilMs` the run gives the device up only until its
   * message comes back then (a 429's wait): nothing is handed over, and it
   * stays first in line ahead of anyone waiting. That gives up an admission
   * only: a hold naming the run's action (recorded by another delivery of
   * its message meanwhile) stays (holds.actionRecorded).
   */
  release(deviceId: string, runId: string, keepPlaceUntilMs?: number): Promise<HandOver | undefined> {
    return this.update((state, nowMs) => {
      if (keepPlaceUntilMs !== undefined && actionRecorded(state, deviceId, runId)) return { next: undefined, result: undefined };
      const released = releaseHold(state, deviceId, runId);
      if (keepPlaceUntilMs !== undefined)
        return { next: keepPlace(released, deviceId, runId, keepPlaceUntilMs, nowMs, this.limits), result: undefined };
      const { state: next, handed } = handOver(leaveQueue(released, deviceId, runId), deviceId, nowMs, this.limits);
      return { next, result: handed };
    });
  }

  /**
   * Frees the device only if the run's hold there names no action yet (an
   * admission given up, a slot not used): a hold another delivery has
   * meanwhile recorded its action in stays, or that action would never be
   * polled. The caller asks for a slot again at once, so the run keeps its
   * place: first in the device's line when others wait.
   */
  releaseAdmission(deviceId: string, runId: string): Promise<void> {
    return this.update((state, nowMs) => {
      const hold = state.holds[deviceId];
      const named = hold?.kind === 'open' && hold.actionId !== undefined;
      if (named || hold?.runId !== runId) return { next: undefined, result: undefined };
      return { next: keepPlace(releaseHold(state, deviceId, runId), deviceId, runId, nowMs, nowMs, this.limits), result: undefined };
    });
  }

  /** Our call admitted at `admittedMs` got a 429 (see sendSlots.callRefused). */
  callRefused(admittedMs: number, retryAfterMs: number): Promise<void> {
    return this.update((state, nowMs) => ({
      next: callRefused(state, admittedMs, nowMs, nowMs + retryAfterMs, this.limits),
      result: undefined,
    }));
  }

  /**
   * Releases the device and returns how long to back off before trying it
   * again; a hold naming the run's action (another delivery recorded it
   * meanwhile: the device is busy with our own action) stays, untouched.
   */
  deviceBusy(deviceId: string, runId: string): Promise<number> {
    return this.update((state, nowMs) => {
      if (actionRecorded(state, deviceId, runId)) return { next: undefined, result: this.limits.deviceBusyRetryMs };
      const { state: next, waitMs } = markDeviceBusy(
        state,
        deviceId,
        runId,
        nowMs,
        this.limits.deviceBusyRetryMs,
        this.limits.deviceBusyMaxRetryMs,
      );
      // It comes back when the back-off ends, first in the device's line.
      return { next: keepPlace(next, deviceId, runId, nowMs + waitMs, nowMs, this.limits), result: waitMs };
    });
  }

  /** Takes status/link calls from the shared budget; `{ok: false}` says how long to wait. */
  takeStatusCalls(count = 1): Promise<{ ok: true } | { ok: false; waitMs: number }> {
    return this.update<{ ok: true } | { ok: false; waitMs: number }>((state, nowMs) => {
      const decision = takeStatusCalls(state, nowMs, this.limits, count);
      return decision.ok ? { next: decision.state, result: { ok: true as const } } : { next: undefined, result: decision };
    });
  }

  planPoll(deviceId: string, actionId: string, nextPollMs: number, status: string): Promise<void> {
    return this.update((state) => ({ next: planPoll(state, deviceId, actionId, nextPollMs, status), result: undefined }));
  }

  /** A tick still at work keeps the actions it has not looked at yet for `tickGraceMs` more (see claimTick). */
  keepLooks(holds: readonly OpenHold[]): Promise<void> {
    return this.update((state, nowMs) => ({ next: takeLooks(state, holds, nowMs + this.tickGraceMs), result: undefined }));
  }

  /** A tick that could not look at these actions (throttled, or failing) gives them back: each is due again at `atMs`. */
  giveBackLooks(holds: readonly OpenHold[], atMs: number): Promise<void> {
    return this.update((state) => ({ next: takeLooks(state, holds, atMs), result: undefined }));
  }

  /**
   * Records a tick due at `atMs` unless a live one is already due at or before
   * it; returns the new tick's sequence number, which the caller then sends.
   * Recording comes first: a crash before the send leaves a tick on record
   * that never arrives; once it is `tickGraceMs` overdue it no longer counts,
   * and the next scheduling (a submission, or the timer's watchdog) replaces it.
   */
  scheduleTick(atMs: number): Promise<number | undefined> {
    let proposed: number | undefined;
    return this.update((state, nowMs) => {
      const { seq, atMs: current } = state.tick;
      // Our own earlier attempt committed although its answer said otherwise (an ambiguous write the SDK
      // retried into a conflict): the tick on record is ours, and still ours to send.
      if (proposed !== undefined && seq === proposed && current === atMs) return { next: undefined, result: proposed };
      if (current !== 0 && current <= atMs && current >= nowMs - this.tickGraceMs) return { next: undefined, result: undefined };
      proposed = seq + 1;
      return { next: { ...state, tick: { seq: proposed, atMs } }, result: proposed };
    });
  }

  /**
   * Claims tick `seq`: accepted when it is the latest scheduled (a redelivery
   * of it included) or when the tick on record is long overdue (its message
   * was lost); a stale duplicate is refused. Returns the open actions due,
   * taken for this tick's look (holds.takeLooks) until `tickGraceMs` from
   * now: a tick handled meanwhile, this one's redelivery after its lock was
   * lost included, does not look at them again.
   */
  claimTick(seq: number): Promise<OpenHold[] | undefined> {
    return this.update((state, nowMs) => {
      const overdue = state.tick.atMs !== 0 && state.tick.atMs < nowMs - this.tickGraceMs;
      if (seq !== state.tick.seq && !overdue) return { next: undefined, result: undefined };
      const due = dueForPoll(state, nowMs);
      return {
        next: {
          ...takeLooks(state, due, nowMs + this.tickGraceMs),
          tick: { seq: Math.max(seq, state.tick.seq), atMs: 0, claimedMs: nowMs },
        },
        result: due,
      };
    });
  }

  /**
   * The watchdog: records a new tick, due when the earliest open action needs
   * its look, only when the chain is lost (tickWatch.lostTick): never while a
   * tick is on record in time or being handled. Returns the tick to send with
   * why it was lost.
   */
  reviveTick(): Promise<{ seq: number; atMs: number; loss: TickLoss } | undefined> {
    let proposed: { seq: number; atMs: number; loss: TickLoss } | undefined;
    return this.update((state, nowMs) => {
      // Our own earlier attempt committed although its answer said otherwise: it is still ours to send.
      if (proposed !== undefined && state.tick.seq === proposed.seq && state.tick.atMs === proposed.atMs)
        return { next: undefined, result: proposed };
      const loss = lostTick(state, nowMs, this.tickGraceMs);
      const next = nextPollDue(state);
      if (loss === undefined || next === undefined) return { next: undefined, result: undefined };
      proposed = { seq: state.tick.seq + 1, atMs: Math.max(next, nowMs), loss };
      return { next: { ...state, tick: { seq: proposed.seq, atMs: proposed.atMs } }, result: proposed };
    });
  }

  /** The penalty in force (epoch ms; in the past when none). A last look before a POST. */
  async penaltyUntil(): Promise<number> {
    return (await this.store.load()).value.penaltyUntilMs;
  }

  async nextPollDue(): Promise<number | undefined> {
    return nextPollDue((await this.store.load()).value);
  }

  async snapshot(): Promise<PacingState> {
    return prune(
      (await this.store.load()).value,
      this.clock.nowMs(),
      this.clock.nowMs() - this.limits.liveResponseWindowMs - this.limits.safetyMarginMs,
    );
  }

  private update<R>(change: Change<PacingState, R>): Promise<R> {
    return this.committer.apply(change);
  }
}
