/** What both queue probes compute the same way from what they saw. */
import type { CountIs, QueueLook } from './port.js';

/**
 * The `messages` part of a look: the count, and the longest wait among the
 * ready messages seen (`dueMs`: when each became due, `nowMs` on the same
 * clock; a message not yet due is not waiting). `sawAll`: every ready
 * message was among those seen.
 */
export function messagesLook(
  count: number,
  countIs: CountIs,
  dueMs: readonly number[],
  nowMs: number,
  sawAll: boolean,
): QueueLook['messages'] {
  const ready = dueMs.filter((due) => due <= nowMs);
  const oldestDueMs = ready.length > 0 ? Math.min(...ready) : undefined;
  return {
    count,
    countIs,
    ...(oldestDueMs === undefined ? {} : { oldestReadyAgeMs: nowMs - oldestDueMs }),
    oldestReadyAgeIs: sawAll ? 'exact' : 'atLeast',
  };
}
