/**
 * The dead-letter operations: list (a page, filtered), replay after a fix,
 * purge. Each takes an unchecked request and answers a Result naming the bad
 * field; the command `npm run deadletters` and the operator routes
 * (functions/deadLettersList.ts, deadLettersAct.ts) call them.
 *
 * Replaying is safe to repeat: a dead letter is removed only after its body
 * was sent back, under a message id derived from the dead letter, so a replay
 * retried after a crash sends the same id (Service Bus's duplicate detection
 * drops it), and the handlers are idempotent on business ids anyway (run ids
 * come from the alert, playbook and device; action, poll and collect handlers
 * reload the run and act only on the state they find), so an alert replayed
 * after its run started starts nothing new.
 */
import type { DeadLetterFilter, DeadLetterListing, DeadLetterOutcome } from '../../bus/deadLetterStore.js';
import { ValidationError } from '../../errors.js';
import { redactText } from '../../redaction.js';
import { fail, ok, type Issue, type Result } from '../../result.js';
import { toIssues } from '../../validation.js';
import type { DeadLetterDeps } from './deps.js';
import { listRequestSchema, MAX_PAGE_SIZE, selectionSchemaFor } from './requests.js';

export interface DeadLetterReport {
  outcomes: DeadLetterOutcome[];
  counts: Record<DeadLetterOutcome['outcome'], number>;
}

export interface DeadLetterService {
  list(request: unknown): Promise<Result<DeadLetterListing, Issue[]>>;
  replay(request: unknown): Promise<Result<DeadLetterReport, Issue[]>>;
  purge(request: unknown): Promise<Result<DeadLetterReport, Issue[]>>;
}

export function deadLetterService(deps: DeadLetterDeps): DeadLetterService {
  return {
    list: (request) => listDeadLetters(deps, request),
    replay: (request) => act(deps, 'replay', request),
    purge: (request) => act(deps, 'purge', request),
  };
}

export async function listDeadLetters(deps: DeadLetterDeps, request: unknown): Promise<Result<DeadLetterListing, Issue[]>> {
  const parsed = listRequestSchema.safeParse(request);
  if (!parsed.success) return fail(toIssues(parsed.error));
  const { limit, after, ...filter } = parsed.data;
  try {
    const listing = await deps.deadLetters.list(filter, { limit, ...(after === undefined ? {} : { after }) });
    // The description is the rejecting handler's (or the broker's) text: redacted like the preview, so no link leaves.
    return ok({ ...listing, entries: listing.entries.map((e) => ({ ...e, description: redactText(e.description) })) });
  } catch (error) {
    if (error instanceof ValidationError) return fail([...error.issues]); // a cursor this store did not issue
    throw error;
  }
}

async function act(deps: DeadLetterDeps, action: 'replay' | 'purge', request: unknown): Promise<Result<DeadLetterReport, Issue[]>> {
  const parsed = selectionSchemaFor(request).safeParse(request);
  if (!parsed.success) return fail(toIssues(parsed.error));
  const ids = 'ids' in parsed.data ? [...new Set(parsed.data.ids)] : await everyId(deps, parsed.data);
  const outcomes = ids.length === 0 ? [] : await deps.deadLetters[action](ids);
  for (const outcome of outcomes) {
    deps.logger.log(outcome.outcome === 'replayed' || outcome.outcome === 'purged' ? 'info' : 'warn', `dead letter ${outcome.outcome}`, {
      deadLetterId: outcome.id,
      replayMessageId: outcome.outcome === 'replayed' ? outcome.replayMessageId : undefined,
      detail: outcome.outcome === 'refused' ? outcome.detail : undefined,
    });
  }
  return ok({ outcomes, counts: countOutcomes(outcomes) });
}

/** Every id the filter selects, page after page. */
async function everyId(deps: DeadLetterDeps, filter: DeadLetterFilter): Promise<string[]> {
  const ids: string[] = [];
  let after: string | undefined;
  do {
    const page = await deps.deadLetters.list(filter, { limit: MAX_PAGE_SIZE, ...(after === undefined ? {} : { after }) });
    ids.push(...page.entries.map((e) => e.id));
    after = page.next;
  } while (after !== undefined);
  return ids;
}

function countOutcomes(outcomes: readonly DeadLetterOutcome[]): DeadLetterReport['counts'] {
  const counts = { replayed: 0, purged: 0, 'not-found': 0, refused: 0 };
  for (const o of outcomes) counts[o.outcome] += 1;
  return counts;
}
