import { z } from 'zod';
import { streamingRowSchema, type StreamingRow } from './streamingRow.js';

/**
 * One streamed alert being assembled: the rows of its AlertId received so
 * far, from however many messages, in the order they came. Kept in storage
 * (AlertAssemblyStore) so every worker sees the same rows.
 */
export const alertAssemblySchema = z.object({
  alertId: z.string().min(1),
  firstSeenMs: z.number(),
  /** When a row was last added: the quiet period counts from here. */
  lastRowMs: z.number(),
  /** When the pending quiet-period check is due (its message is sent for this instant). */
  dueMs: z.number(),
  rows: z.array(streamingRowSchema),
  /** Rows not kept: past the row cap or the size budget (a redelivered one may be counted again). */
  droppedRows: z.number().int().nonnegative(),
  /** Rows that arrived after the alert was first answered. */
  lateRows: z.number().int().nonnegative(),
  /** Set once the alert has been answered: when, with how many rows, whether it was actionable then, how many times. */
  emitted: z
    .object({ atMs: z.number(), rows: z.number().int().nonnegative(), actionable: z.boolean(), times: z.number().int().positive() })
    .optional(),
});
export type AlertAssembly = z.infer<typeof alertAssemblySchema>;

/** The longest assembly a store keeps, as JSON characters (a Table Storage entity holds 15 x 32K characters of text). */
export const MAX_ASSEMBLY_CHARS = 400_000;
/** AlertInfo rows kept per alert (they do not count against the row cap; more are dropped). */
const MAX_INFO_ROWS = 4;

export interface AssemblyLimits {
  /** Evidence rows kept per alert. */
  maxRows: number;
  /** No new row for this long: the alert is answered with what arrived. */
  quietMs: number;
}

export interface Merged {
  assembly: AlertAssembly;
  added: number;
  dropped: number;
  late: number;
}

/**
 * Adds the rows not seen yet (by record key) to the assembly, or starts
 * one. Evidence rows beyond `maxRows`, and any row that would take the
 * assembly past MAX_ASSEMBLY_CHARS, are counted as dropped, not kept. Pure.
 */
export function mergeRows(
  existing: AlertAssembly | undefined,
  alertId: string,
  rows: readonly StreamingRow[],
  nowMs: number,
  limits: AssemblyLimits,
): Merged {
  const assembly: AlertAssembly = existing
    ? { ...existing, rows: [...existing.rows] }
    : { alertId, firstSeenMs: nowMs, lastRowMs: nowMs, dueMs: nowMs + limits.quietMs, rows: [], droppedRows: 0, lateRows: 0 };
  const keys = new Set(assembly.rows.map((r) => r.key));
  let chars = JSON.stringify(assembly).length;
  const counts = { info: 0, evidence: 0 };
  for (const row of assembly.rows) counts[row.table] += 1;
  let added = 0;
  let dropped = 0;
  for (const row of rows) {
    if (keys.has(row.key)) continue;
    keys.add(row.key);
    const size = JSON.stringify(row).length + 1;
    const full = counts[row.table] >= (row.table === 'info' ? MAX_INFO_ROWS : limits.maxRows);
    // Room is kept for the counters and the emission record.
    if (full || chars + size > MAX_ASSEMBLY_CHARS - 1_000) {
      dropped += 1;
      continue;
    }
    assembly.rows.push(row);
    counts[row.table] += 1;
    chars += size;
    added += 1;
  }
  const late = assembly.emitted ? added : 0;
  if (added > 0) assembly.lastRowMs = nowMs;
  assembly.droppedRows += dropped;
  assembly.lateRows += late;
  return { assembly, added, dropped, late };
}

/** What the assembly's notes say about it (reported with the alert). */
export function assemblyNotes(assembly: AlertAssembly, limits: Pick<AssemblyLimits, 'maxRows'>): string[] {
  return assembly.droppedRows > 0
    ? [
        `${assembly.droppedRows} streamed row(s) not kept: past the cap of ${limits.maxRows} evidence rows (or ${MAX_INFO_ROWS} AlertInfo rows, or ${MAX_ASSEMBLY_CHARS} characters) per alert`,
      ]
    : [];
}
