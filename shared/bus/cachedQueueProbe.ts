import type { Clock } from '../clock.js';
import type { QueueLook, QueueName, QueueProbe } from './port.js';

/**
 * A queue probe whose looks are shared for `ttlMs` (STATUS_QUEUE_LOOK_CACHE_MS):
 * every console open on the pacing page polls GET /api/status, and on Service
 * Bus each look opens a connection and peeks three entities, so callers within
 * the same few seconds share one look (and one look in flight). A failed look
 * is not kept: the next caller tries again. 0: no sharing.
 */
export function cachedQueueProbe(inner: QueueProbe, clock: Clock, ttlMs: number): QueueProbe {
  if (ttlMs <= 0) return inner;
  const looks = new Map<QueueName, { atMs: number; look: Promise<QueueLook> }>();
  return {
    look(queue) {
      const nowMs = clock.nowMs();
      const kept = looks.get(queue);
      if (kept && nowMs - kept.atMs < ttlMs) return kept.look;
      const look = inner.look(queue);
      looks.set(queue, { atMs: nowMs, look });
      look.catch(() => {
        if (looks.get(queue)?.look === look) looks.delete(queue);
      });
      return look;
    },
  };
}
