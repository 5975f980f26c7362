import { z } from 'zod';
import type { Versioned } from '../runs/model.js';

/**
 * Where the alert poller remembers how far it has read: the watermark (the
 * newest lastUpdateTime enqueued) and the alerts it enqueued within the
 * overlap window, so a re-read of that window skips them. Saved only if
 * the stored cursor is still the one read (ETag), so two pollers can never
 * move it backwards.
 */
export const pollCursorSchema = z.object({
  watermarkMs: z.number(),
  /** `<alert id>|<lastUpdatedMs>` → lastUpdatedMs, for alerts inside the overlap window. */
  recent: z.record(z.string(), z.number()),
});
export type PollCursor = z.infer<typeof pollCursorSchema>;

export interface WatermarkStore {
  load(name: string): Promise<Versioned<PollCursor> | undefined>;
  /** Writes the cursor if the stored one still carries `etag` (undefined: only if none exists yet). */
  save(name: string, cursor: PollCursor, etag: string | undefined): Promise<'ok' | 'conflict'>;
}

/** The store for one process (tests, local tools). */
export class InProcessWatermarkStore implements WatermarkStore {
  private readonly cursors = new Map<string, { cursor: PollCursor; version: number }>();

  load(name: string): Promise<Versioned<PollCursor> | undefined> {
    const found = this.cursors.get(name);
    return Promise.resolve(found ? { value: structuredClone(found.cursor), etag: String(found.version) } : undefined);
  }

  save(name: string, cursor: PollCursor, etag: string | undefined): Promise<'ok' | 'conflict'> {
    const found = this.cursors.get(name);
    if ((found === undefined) !== (etag === undefined) || (found && String(found.version) !== etag)) return Promise.resolve('conflict');
    this.cursors.set(name, { cursor: structuredClone(cursor), version: (found?.version ?? 0) + 1 });
    return Promise.resolve('ok');
  }
}
