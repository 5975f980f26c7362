import { z } from 'zod';
import type { Versioned } from '../runs/model.js';

/**
 * Where a reader remembers how far it has read, by name. The alert poller:
 * the watermark (the newest lastUpdateTime enqueued) and the alerts it
 * enqueued within the overlap window, so a re-read of that window skips
 * them. The reconciliation sweep: the `createdMs` bound its next page of runs
 * starts below (`recent` empty). Saved only if the stored cursor is still the
 * one read (ETag), so two readers can never move it backwards.
 */
export const pollCursorSchema = z.object({
  watermarkMs: z.number(),
  /** `<alert id>|<lastUpdatedMs>` → lastUpdatedMs, for alerts inside the overlap window. */
  recent: z.record(z.string(), z.number()),
});
export type PollCursor = z.infer<typeof pollCursorSchema>;

/** The longest cursor a store keeps, as JSON characters (one Table Storage property holds 32K); a longer one is refused. */
export const MAX_POLL_CURSOR_CHARS = 30_000;

/**
 * Adapters: TableWatermarkStore (Azure); the in-memory fake in test/helpers.
 * Both pass test/contracts/watermarkStore.contract.ts.
 */
export interface WatermarkStore {
  /** The cursor saved under `name`; undefined when none is. A stored cursor that fails the schema is refused (PermanentError). */
  load(name: string): Promise<Versioned<PollCursor> | undefined>;
  /**
   * Writes the cursor if the stored one still carries `etag` (undefined: only
   * if none exists yet); 'conflict' otherwise. Quoting an etag for a name
   * with no cursor is a NotFoundError; a cursor over MAX_POLL_CURSOR_CHARS a
   * PermanentError.
   */
  save(name: string, cursor: PollCursor, etag: string | undefined): Promise<'ok' | 'conflict'>;
}
