/**
 * GET /api/status: the pacing state at a glance, each queue's depth and the
 * notifications owed, read only (the pacing record as stored, the bus's
 * read-only probe, a bounded count of the owed notifications; no Defender
 * call, nothing written). A part that cannot be read says `unavailable`
 * with a redacted reason instead of failing the whole answer.
 */
import { z } from 'zod';
import type { CountIs, QueueLook } from '../../bus/port.js';
import { QUEUE_NAMES, type QueueName } from '../../bus/queues.js';
import { pacingStatus, type PacingStatus } from '../../pacing/pacingStatus.js';
import { LONGEST_LINES_SHOWN } from '../../pacing/waitingLines.js';
import { withinTime } from '../../concurrency/withinTime.js';
import type { Deps } from '../deps.js';
import { notificationsStatus, notificationsStatusSchema } from './owedNotificationsStatus.js';

export type ResponderStatusDeps = Pick<Deps, 'pacer' | 'queueProbe' | 'owedNotifications' | 'clock' | 'config' | 'logger'>;

const iso = z.string().describe('ISO 8601');
const unavailableSchema = z.strictObject({ unavailable: z.string().describe('why this part could not be read (redacted)') });
const countIsSchema = z
  .enum(['exact', 'atLeast', 'approximate'])
  .describe('exact: every message seen; atLeast: the look stopped at its bound (STATUS_PEEK_MAX); approximate: the service’s estimate');
const countSchema = z.strictObject({ count: z.number().int().nonnegative(), countIs: countIsSchema });
const budgetSchema = z.strictObject({ used: z.number().int(), limit: z.number().int(), left: z.number().int() });

const waitingLinesSchema = z
  .strictObject({
    waiters: z.number().int().nonnegative().describe('runs waiting in a device’s line for a device another of our runs holds, tenant-wide'),
    waitersLimit: z.number().int().describe('runs kept in lines tenant-wide: at it, a run retries instead of joining a line'),
    devices: z.number().int().nonnegative().describe('devices with a waiting line'),
    perDeviceLimit: z.number().int().describe('runs kept in one device’s line: at it, that line is full'),
    longest: z
      .array(
        z.strictObject({
          deviceId: z.string(),
          waiters: z.number().int().positive().describe('runs waiting for this device'),
          firstWaiterFallback: iso.describe('when the first waiter’s own message comes back if no hand-over wakes it first'),
        }),
      )
      .max(LONGEST_LINES_SHOWN)
      .describe(`the longest lines, most waiters first (ties by device id), at most ${LONGEST_LINES_SHOWN}`),
  })
  .describe('the devices’ waiting lines; lapsed waiters (whose message never came back) are not counted');

const pacingSchema = z.strictObject({
  liveResponse: z.strictObject({
    callsInWindow: z.number().int().describe('runliveresponse calls made in the last windowMs'),
    windowMs: z.number().int(),
    limit: z.number().int().describe('configured calls per window'),
    limitInForce: z.number().int().describe('lower while a ceiling learned from a 429 holds or rises'),
    ceilingHoldsUntil: iso.optional(),
    reservedSlots: z.number().int().describe('send slots booked ahead for devices waiting'),
    nextFreeSlot: iso.describe('the earliest a new submission could call'),
    perMinute: z
      .array(z.strictObject({ minuteStart: iso, calls: z.number().int().nonnegative() }))
      .describe('runliveresponse calls admitted in each minute of the last hour, oldest first, the current minute last'),
  }),
  sessions: z.strictObject({ inUse: z.number().int(), limit: z.number().int() }),
  devices: z.strictObject({
    waiting: z
      .number()
      .int()
      .describe('devices holding a reserved send slot, waiting for it (not the runs in waiting lines: see waitingLines)'),
    backingOff: z.number().int().describe('devices found busy with a session that is not ours, backing off'),
  }),
  waitingLines: waitingLinesSchema,
  penalty: z.union([z.strictObject({ inForce: z.literal(false) }), z.strictObject({ inForce: z.literal(true), until: iso })]),
  statusBudget: z.strictObject({ lastMinute: budgetSchema, lastHour: budgetSchema }),
});

const queueSchema = z.strictObject({
  messages: countSchema.extend({
    oldestReadyAgeMs: z.number().int().nonnegative().optional().describe('how long the longest-waiting ready message has waited'),
    oldestReadyAgeIs: z.enum(['exact', 'atLeast']),
  }),
  deadLetters: z.strictObject({ poison: countSchema, native: countSchema.optional() }),
});

export const responderStatusSchema = z.strictObject({
  at: iso,
  pacing: z.union([pacingSchema, unavailableSchema]),
  queues: z.strictObject(
    Object.fromEntries(QUEUE_NAMES.map((q) => [q, z.union([queueSchema, unavailableSchema])])) as Record<
      QueueName,
      z.ZodUnion<[typeof queueSchema, typeof unavailableSchema]>
    >,
  ),
  notifications: z.union([notificationsStatusSchema, unavailableSchema]),
});
export type ResponderStatus = z.infer<typeof responderStatusSchema>;
type Unavailable = z.infer<typeof unavailableSchema>;

/** The status answer: each part read on its own, bounded by STATUS_PROBE_TIMEOUT_MS. */
export async function responderStatus(deps: ResponderStatusDeps): Promise<ResponderStatus> {
  const { statusProbeTimeoutMs: timeoutMs, statusOwedCountMax } = deps.config.operatorApi;
  const [pacing, notifications, ...looks] = await Promise.all([
    readPart(deps, 'pacing', timeoutMs, async () =>
      pacingAnswer(pacingStatus(await deps.pacer.snapshot(), deps.clock.nowMs(), deps.pacer.limits)),
    ),
    readPart(deps, 'owed notifications', timeoutMs, async () =>
      notificationsStatus(await deps.owedNotifications.tally(statusOwedCountMax), deps.clock.nowMs()),
    ),
    ...QUEUE_NAMES.map((queue) => readPart(deps, `queue ${queue}`, timeoutMs, async () => queueAnswer(await deps.queueProbe.look(queue)))),
  ]);
  const queues = Object.fromEntries(QUEUE_NAMES.map((q, i) => [q, looks[i] ?? { unavailable: 'not read' }])) as ResponderStatus['queues'];
  return { at: new Date(deps.clock.nowMs()).toISOString(), pacing, queues, notifications };
}

function pacingAnswer(status: PacingStatus): z.infer<typeof pacingSchema> {
  const { ceilingHoldsUntilMs, nextFreeSlotMs, perMinute, ...liveResponse } = status.liveResponse;
  return {
    liveResponse: {
      ...liveResponse,
      ...(ceilingHoldsUntilMs === undefined ? {} : { ceilingHoldsUntil: new Date(ceilingHoldsUntilMs).toISOString() }),
      nextFreeSlot: new Date(nextFreeSlotMs).toISOString(),
      perMinute: perMinute.map((m) => ({ minuteStart: new Date(m.minuteStartMs).toISOString(), calls: m.calls })),
    },
    sessions: status.sessions,
    devices: status.devices,
    waitingLines: {
      ...status.waitingLines,
      longest: status.waitingLines.longest.map(({ firstWaiterFallbackMs, ...line }) => ({
        ...line,
        firstWaiterFallback: new Date(firstWaiterFallbackMs).toISOString(),
      })),
    },
    penalty: status.penalty ? { inForce: true, until: new Date(status.penalty.untilMs).toISOString() } : { inForce: false },
    statusBudget: status.statusBudget,
  };
}

function queueAnswer(look: QueueLook): z.infer<typeof queueSchema> {
  const count = (c: { count: number; countIs: CountIs }) => ({ count: c.count, countIs: c.countIs });
  const { oldestReadyAgeMs, oldestReadyAgeIs } = look.messages;
  return {
    messages: {
      ...count(look.messages),
      ...(oldestReadyAgeMs === undefined ? {} : { oldestReadyAgeMs: Math.max(0, Math.round(oldestReadyAgeMs)) }),
      oldestReadyAgeIs,
    },
    deadLetters: { poison: count(look.deadLetters.poison), ...(look.deadLetters.native ? { native: count(look.deadLetters.native) } : {}) },
  };
}

/** Reads one part, or says why it is unavailable (a failure or no answer within `timeoutMs` of wall time), logged. */
async function readPart<T>(deps: ResponderStatusDeps, part: string, timeoutMs: number, read: () => Promise<T>): Promise<T | Unavailable> {
  const result = await withinTime(read, timeoutMs);
  if (result.ok) return result.value;
  deps.logger.log('warn', 'status part unavailable', { part, reason: result.reason });
  return { unavailable: result.reason };
}
