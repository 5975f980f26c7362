import { z } from 'zod';

/**
 * Tenant-wide pacing state: one small document every worker reads and
 * writes with compare-and-swap (see pacer.ts). Times are epoch ms on the
 * responder's clock.
 */
export interface PacingState {
  /** runliveresponse send slots, ascending: calls made and slots reserved for later. */
  slotsMs: number[];
  /** No call before this instant (the last 429's Retry-After). */
  penaltyUntilMs: number;
  /** One hold per device: a reserved send slot, or an open action (a session). */
  holds: Record<string, Hold>;
  /** Devices found busy with a session that is not ours (e.g. the portal): back off. */
  busy: Record<string, { count: number; untilMs: number }>;
  /** Status/link calls in the last minute, ascending. */
  statusCallsMs: number[];
  /** Status/link calls per minute for the last hour: [minute index, count]. */
  statusMinutes: [number, number][];
  /**
   * runliveresponse calls admitted per minute for the last hour: [minute
   * index, count], ascending (callMinutes.ts; absent in older documents).
   * Only GET /api/status reads it; admission never does.
   */
  callMinutes?: [number, number][];
  /**
   * The one tenant-wide poll tick: its sequence number and when it is due
   * (atMs 0: none pending, e.g. claimed and not yet rescheduled), and when
   * it was last claimed (a tick in flight is not a lost one).
   */
  tick: { seq: number; atMs: number; claimedMs?: number };
  /**
   * Learned from a 429: the tenant accepted only this many calls in a window
   * (another app shares the quota), so the ledger books no more until
   * `untilMs`, then one more per `riseMs` (learnedCeiling.ts). Absent: the
   * configured limit holds.
   */
  ceiling?: LearnedCeiling;
  /**
   * Per device, the runs waiting for it while another run holds it, first
   * come first (deviceQueue.ts); absent in older documents. Bounded
   * (MAX_WAITERS): past it a run retries as it did before there was a queue.
   */
  queues?: Record<string, Waiter[]>;
}

/** A run waiting for a device: dropped at `untilMs` unless its message has come back by then (a run gone quietly never blocks the queue). */
export interface Waiter {
  runId: string;
  untilMs: number;
}

export interface LearnedCeiling {
  calls: number;
  /** End of the hold. */
  untilMs: number;
  /** Length of the hold (doubled by a 429 during the rise). */
  holdMs?: number;
  /** After the hold, one more call every `riseMs` (absent in older documents: no rise, the ceiling lapses at `untilMs`). */
  riseMs?: number;
  /** When the rise reaches the configured limit: the ceiling is dropped then. */
  endsMs?: number;
}

export type Hold =
  | { kind: 'reserved'; runId: string; slotMs: number; expiresMs: number }
  | { kind: 'open'; runId: string; expiresMs: number; submittedMs: number; actionId?: string; nextPollMs: number; status?: string };

const holdSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('reserved'), runId: z.string(), slotMs: z.number(), expiresMs: z.number() }),
  z.object({
    kind: z.literal('open'),
    runId: z.string(),
    expiresMs: z.number(),
    submittedMs: z.number(),
    actionId: z.string().optional(),
    nextPollMs: z.number(),
    status: z.string().optional(),
  }),
]);

/** The stored form of a PacingState: every PacingStore checks what it reads against it. */
export const pacingStateSchema: z.ZodType<PacingState> = z.object({
  slotsMs: z.array(z.number()),
  penaltyUntilMs: z.number(),
  holds: z.record(z.string(), holdSchema),
  busy: z.record(z.string(), z.object({ count: z.number(), untilMs: z.number() })),
  statusCallsMs: z.array(z.number()),
  statusMinutes: z.array(z.tuple([z.number(), z.number()])),
  callMinutes: z.array(z.tuple([z.number(), z.number()])).optional(),
  tick: z.object({ seq: z.number(), atMs: z.number(), claimedMs: z.number().optional() }),
  ceiling: z
    .object({
      calls: z.number(),
      untilMs: z.number(),
      holdMs: z.number().optional(),
      riseMs: z.number().optional(),
      endsMs: z.number().optional(),
    })
    .optional(),
  queues: z.record(z.string(), z.array(z.object({ runId: z.string(), untilMs: z.number() }))).optional(),
});

export const emptyPacingState = (): PacingState => ({
  slotsMs: [],
  penaltyUntilMs: 0,
  holds: {},
  busy: {},
  statusCallsMs: [],
  statusMinutes: [],
  tick: { seq: 0, atMs: 0 },
});

/** Drops what no longer matters at `nowMs`: old slots, expired holds, stale call records. */
export function prune(state: PacingState, nowMs: number, keepSlotsAfterMs: number): PacingState {
  const holds: Record<string, Hold> = {};
  for (const [deviceId, hold] of Object.entries(state.holds)) if (hold.expiresMs > nowMs) holds[deviceId] = hold;
  const busy: PacingState['busy'] = {};
  for (const [deviceId, b] of Object.entries(state.busy)) if (b.untilMs > nowMs - 24 * 3_600_000) busy[deviceId] = b;
  const minute = Math.floor(nowMs / 60_000);
  const { ceiling, queues, ...rest } = state;
  const waiting = liveQueues(queues, nowMs);
  return {
    ...rest,
    ...(ceiling && (ceiling.endsMs ?? ceiling.untilMs) > nowMs ? { ceiling } : {}),
    ...(waiting ? { queues: waiting } : {}),
    slotsMs: state.slotsMs.filter((t) => t > keepSlotsAfterMs),
    holds,
    busy,
    statusCallsMs: state.statusCallsMs.filter((t) => t > nowMs - 60_000),
    statusMinutes: state.statusMinutes.filter(([m]) => m > minute - 60),
  };
}

/** The queues without their lapsed waiters and empty devices; undefined when nobody waits. */
function liveQueues(queues: PacingState['queues'], nowMs: number): PacingState['queues'] {
  if (!queues) return undefined;
  const live: Record<string, Waiter[]> = {};
  for (const [deviceId, waiters] of Object.entries(queues)) {
    const kept = waiters.filter((w) => w.untilMs > nowMs);
    if (kept.length > 0) live[deviceId] = kept;
  }
  return Object.keys(live).length > 0 ? live : undefined;
}

/** Open actions: what counts against the session limit. */
export const sessionsOpen = (state: PacingState): number => Object.values(state.holds).filter((h) => h.kind === 'open').length;

/** The times of the send slots reserved and not yet used. */
export const reservedSlots = (state: PacingState): number[] =>
  Object.values(state.holds).flatMap((h) => (h.kind === 'reserved' ? [h.slotMs] : []));
