import { z } from 'zod';
import type { OwedTally } from '../../notify/owedStore.js';

const countedIsSchema = z.enum(['exact', 'atLeast']);

/** GET /api/status `notifications`: the notifications owed (the notify queue did not take them), counted up to STATUS_OWED_COUNT_MAX. */
export const notificationsStatusSchema = z
  .strictObject({
    owed: z.strictObject({
      count: z
        .number()
        .int()
        .nonnegative()
        .describe('notifications the notify queue did not take, recorded as owed until the reconcile timer queues them'),
      countIs: countedIsSchema.describe('exact: every owed notification counted; atLeast: the count stopped at STATUS_OWED_COUNT_MAX'),
      oldestAgeMs: z
        .number()
        .int()
        .nonnegative()
        .optional()
        .describe('how long the oldest owed notification counted has been owed (absent when none is)'),
      oldestAgeIs: countedIsSchema.describe('atLeast when the count stopped at its bound: an older one may not have been read'),
    }),
  })
  .describe('notifications waiting to be queued; none on a healthy responder');
export type NotificationsStatus = z.infer<typeof notificationsStatusSchema>;

/** The status's `notifications` part from a tally of the owed notifications at `nowMs`. Pure. */
export function notificationsStatus(tally: OwedTally, nowMs: number): NotificationsStatus {
  const { count, countIs, oldestOwedSinceMs } = tally;
  return {
    owed: {
      count,
      countIs,
      ...(oldestOwedSinceMs === undefined ? {} : { oldestAgeMs: Math.max(0, Math.round(nowMs - oldestOwedSinceMs)) }),
      oldestAgeIs: countIs,
    },
  };
}
