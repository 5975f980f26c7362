import { z } from 'zod';
import { deviceIdField } from '../../alerts/fields.js';
import { fail, ok, type Issue, type Result } from '../../result.js';
import { eachRun, MAX_RUNS_PAGE } from '../../runs/listing.js';
import type { Run } from '../../runs/model.js';
import { toIssues } from '../../validation.js';
import type { StatusDeps } from './deps.js';
import { toRunStatus } from './runStatus.js';
import { runPhaseSchema } from './runStatusSchema.js';
import { decodeRunCursor, encodeRunCursor, RunCursorTracker } from './runCursor.js';

/** Runs one GET /api/runs page holds at most. */
export const RUNS_LIST_MAX_LIMIT = 100;

/** The query of GET /api/runs, as it arrives (every value a string). */
export const runListQuerySchema = z.strictObject({
  /** The run's phase. */
  status: runPhaseSchema.optional(),
  /** A playbook name. */
  playbook: z.string().min(1).max(200).optional(),
  /** Runs targeting this device. */
  device: deviceIdField.optional(),
  /** What started the run. */
  trigger: z.enum(['alert', 'manual', 'schedule']).optional(),
  /** Runs created at or after this instant (ISO 8601). */
  createdFrom: z.iso.datetime({ offset: true }).optional(),
  /** Runs created before this instant (ISO 8601). */
  createdBefore: z.iso.datetime({ offset: true }).optional(),
  /** Runs per page (default 25). */
  limit: z.coerce.number().int().min(1).max(RUNS_LIST_MAX_LIMIT).default(25),
  /** From the previous page, with the same filters. */
  continuationToken: z.string().min(1).max(200).optional(),
});
export type RunListQuery = z.infer<typeof runListQuerySchema>;

/** One run in a list: small; GET /api/runs/{id} has the rest. */
export const runSummarySchema = z.object({
  runId: z.string(),
  created: z.string(),
  trigger: z.enum(['alert', 'manual', 'schedule']),
  /** The alert id, the requester, or the schedule's playbook. */
  triggeredBy: z.string(),
  /** Alert runs: the alert's title as Defender wrote it (data, never markup). */
  alertTitle: z.string().optional(),
  /** Manual runs: why, as the requester gave it. */
  reason: z.string().optional(),
  playbook: z.object({ name: z.string(), version: z.string(), contentSha256: z.string() }),
  phase: runPhaseSchema,
  deviceCount: z.number().int().nonnegative(),
});
export type RunSummary = z.infer<typeof runSummarySchema>;

export const runListSchema = z.object({
  runs: z.array(runSummarySchema),
  /** Present when more runs may match: pass it back, with the same filters, for the next page. */
  continuationToken: z.string().optional(),
  /** Set when the page stopped at the scan bound (RUNS_LIST_SCAN_MAX) before it was full. */
  note: z.string().optional(),
});
export type RunList = z.infer<typeof runListSchema>;

/**
 * A page of runs, newest first. The store bounds the creation time; the
 * other filters (status, playbook, device, trigger) are applied while
 * reading, and one request reads at most `runsListScanMax` runs: a page can
 * then hold fewer runs than `limit` and still carry a continuation token
 * (and a note saying so). Otherwise a token is given only when another run
 * matches.
 * The token is the position after the last run read, so runs created while
 * an operator pages never shift the pages.
 */
export async function listRunSummaries(deps: StatusDeps, rawQuery: unknown): Promise<Result<RunList, Issue[]>> {
  const parsed = runListQuerySchema.safeParse(rawQuery);
  if (!parsed.success) return fail(toIssues(parsed.error));
  const query = parsed.data;
  const cursor = query.continuationToken === undefined ? undefined : decodeRunCursor(query.continuationToken);
  if (cursor === null) return fail([{ path: 'continuationToken', message: 'not a token this API issued' }]);
  const createdFromMs = query.createdFrom === undefined ? undefined : Date.parse(query.createdFrom);
  const beforeBounds = [query.createdBefore === undefined ? undefined : Date.parse(query.createdBefore), cursor?.beforeMs];
  const createdBeforeMs = Math.min(...beforeBounds.filter((b): b is number => b !== undefined));
  const filtered = query.status ?? query.playbook ?? query.device ?? query.trigger;
  const scanMax = deps.config.operatorApi.runsListScanMax;
  const tracker = new RunCursorTracker(cursor);
  const runs: RunSummary[] = [];
  let scanned = 0;
  const pages = eachRun(deps.runs, {
    limit: filtered ? Math.min(MAX_RUNS_PAGE, scanMax) : query.limit + 1,
    ...(createdFromMs === undefined ? {} : { createdFromMs }),
    ...(Number.isFinite(createdBeforeMs) ? { createdBeforeMs } : {}),
  });
  const stopHere = (note?: string): Result<RunList, Issue[]> =>
    ok({ runs, continuationToken: encodeRunCursor(tracker.position()), ...(note ? { note } : {}) });
  for await (const run of pages) {
    if (tracker.alreadyListed(run)) continue;
    if (scanned === scanMax) return stopHere(`stopped after reading ${scanned} runs (RUNS_LIST_SCAN_MAX): ask for the next page`);
    const summary = matches(run, query) ? await summarise(deps, run) : undefined;
    const wanted = summary !== undefined && (query.status === undefined || summary.phase === query.status);
    // A full page stops at the next run that matches, so a token always leads to one (within the scan bound).
    if (wanted && runs.length === query.limit) return stopHere();
    scanned += 1;
    tracker.read(run);
    if (wanted) runs.push(summary);
  }
  return ok({ runs });
}

function matches(run: Run, query: RunListQuery): boolean {
  if (query.playbook !== undefined && run.playbook.name !== query.playbook) return false;
  if (query.trigger !== undefined && run.trigger.kind !== query.trigger) return false;
  const device = query.device?.toLowerCase();
  return device === undefined || run.deviceIds.some((d) => d.toLowerCase() === device);
}

async function summarise(deps: StatusDeps, run: Run): Promise<RunSummary | undefined> {
  const view = await deps.runs.getRun(run.runId);
  if (!view) return undefined;
  const { trigger } = run;
  return {
    runId: run.runId,
    created: new Date(run.createdMs).toISOString(),
    trigger: trigger.kind,
    triggeredBy: trigger.kind === 'alert' ? trigger.alertId : trigger.kind === 'manual' ? trigger.requestedBy : trigger.playbook,
    ...(trigger.kind === 'alert' && trigger.alertTitle !== undefined ? { alertTitle: trigger.alertTitle } : {}),
    ...(trigger.kind === 'manual' && trigger.reason !== undefined ? { reason: trigger.reason } : {}),
    playbook: { name: run.playbook.name, version: run.playbook.version, contentSha256: run.playbook.contentSha256 },
    phase: toRunStatus(view).phase,
    deviceCount: run.deviceIds.length,
  };
}
