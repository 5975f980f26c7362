/** The dead-letter requests an operator sends (the command; the routes through operatorRequests.ts), checked at the edge. */
import { z } from 'zod';
import { parseDeadLetterId } from '../../bus/deadLetterEntry.js';
import { DEAD_LETTER_SOURCES } from '../../bus/deadLetterStore.js';
import { QUEUE_NAMES } from '../../bus/queues.js';

/** A page holds at most this many entries. */
export const MAX_PAGE_SIZE = 500;
export const DEFAULT_PAGE_SIZE = 50;

const filterShape = {
  queues: z.array(z.enum(QUEUE_NAMES)).min(1).optional(),
  source: z.enum(DEAD_LETTER_SOURCES).optional(),
  reason: z.string().min(1).optional(),
};

export const listRequestSchema = z.strictObject({
  ...filterShape,
  limit: z.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
  after: z.string().min(1).optional(),
});
export type ListRequest = z.input<typeof listRequestSchema>;

const deadLetterIdSchema = z
  .string()
  .refine((id) => parseDeadLetterId(id) !== undefined, 'a dead-letter id <queue>:<poison|native>:<key>, as listed');

/** The dead letters to act on, by id. */
export const idsSelectionSchema = z.strictObject({ ids: z.array(deadLetterIdSchema).min(1) });
/** Everything an optional filter selects. */
export const allSelectionSchema = z.strictObject({ all: z.literal(true), ...filterShape });
/** Either the ids to act on, or `all: true` with an optional filter: never both, never neither. */
export type SelectionRequest = z.input<typeof idsSelectionSchema> | z.input<typeof allSelectionSchema>;

/** The schema a selection is checked against: `all` present picks the filter form (so issues name its fields). */
export function selectionSchemaFor(request: unknown): typeof idsSelectionSchema | typeof allSelectionSchema {
  return typeof request === 'object' && request !== null && 'all' in request ? allSelectionSchema : idsSelectionSchema;
}
