/**
 * The dead-letter routes' query and bodies (GET /api/deadletters, POST
 * /api/deadletters/replay and /purge), checked at the edge and turned into
 * the service's requests (requests.ts). Two names differ from the command's:
 * on the routes `reason` is the operator's *why* (required to replay or
 * purge, as for runs and cancels), so the filter on the dead letter's own
 * reason is `deadLetterReason`; and `queues` is one comma-separated query
 * parameter.
 */
import { z } from 'zod';
import { DEAD_LETTER_SOURCES } from '../../bus/deadLetterStore.js';
import { QUEUE_NAMES } from '../../bus/queues.js';
import { fail, ok, type Issue, type Result } from '../../result.js';
import { toIssues } from '../../validation.js';
import { DEFAULT_PAGE_SIZE, idsSelectionSchema, MAX_PAGE_SIZE, type ListRequest, type SelectionRequest } from './requests.js';

const deadLetterReasonField = z.string().min(1).max(200).optional();

/** The query of GET /api/deadletters, as it arrives (every value a string). */
export const deadLetterListQuerySchema = z.strictObject({
  /** Only these queues, comma-separated (alerts, actions, polls, collect). */
  queues: z
    .string()
    .transform((text) => text.split(',').map((q) => q.trim()))
    .pipe(z.array(z.enum(QUEUE_NAMES)).min(1))
    .optional(),
  /** Only this source: poison (rejected by the responder) or native (Service Bus's own dead-letter queue). */
  source: z.enum(DEAD_LETTER_SOURCES).optional(),
  /** Only this dead-letter reason (e.g. MalformedMessage; case-insensitive). */
  deadLetterReason: deadLetterReasonField,
  /** Entries per page. */
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
  /** The previous page's `next`, with the same filters. */
  after: z.string().min(1).max(500).optional(),
});

/** Why an operator replays or purges (a ticket, a fix): required, recorded in the audit log. */
const operatorReasonField = z.string().trim().min(1, 'required: why replay or purge (a ticket or the fix)').max(500);

/** The dead letters to act on by id, and why. */
export const idsActionBodySchema = idsSelectionSchema.extend({ reason: operatorReasonField });
/** Everything an optional filter selects (`all: true`), and why. */
export const allActionBodySchema = z.strictObject({
  all: z.literal(true),
  queues: z.array(z.enum(QUEUE_NAMES)).min(1).optional(),
  source: z.enum(DEAD_LETTER_SOURCES).optional(),
  deadLetterReason: deadLetterReasonField,
  reason: operatorReasonField,
});
/** The body of POST /api/deadletters/replay and /purge: ids or `all: true` with filters, never both, and a reason. */
export const deadLetterActionBodySchema = z.union([idsActionBodySchema, allActionBodySchema]);

/** The service's list request for a query as it arrives, or issues naming each bad parameter. */
export function parseListQuery(query: unknown): Result<ListRequest, Issue[]> {
  const parsed = deadLetterListQuerySchema.safeParse(query);
  if (!parsed.success) return fail(toIssues(parsed.error));
  const { deadLetterReason, ...rest } = parsed.data;
  return ok({ ...rest, ...(deadLetterReason === undefined ? {} : { reason: deadLetterReason }) });
}

/**
 * Checks a replay or purge body: the selection for the service and the
 * operator's reason, or issues naming each field (the form is picked by
 * whether `all` is present, so the issues name its fields).
 */
export function parseActionBody(body: unknown): Result<{ selection: SelectionRequest; reason: string }, Issue[]> {
  const all = typeof body === 'object' && body !== null && 'all' in body;
  const parsed = all ? allActionBodySchema.safeParse(body) : idsActionBodySchema.safeParse(body);
  if (!parsed.success) return fail(toIssues(parsed.error));
  if ('ids' in parsed.data) return ok({ selection: { ids: parsed.data.ids }, reason: parsed.data.reason });
  const { reason, deadLetterReason, all: everything, ...filter } = parsed.data;
  const selection = { all: everything, ...filter, ...(deadLetterReason === undefined ? {} : { reason: deadLetterReason }) };
  return ok({ selection, reason });
}
