import { z } from 'zod';
import { DEAD_LETTER_SOURCES } from '../shared/bus/deadLetterStore.js';
import { QUEUE_NAMES } from '../shared/bus/queues.js';
import { deadLetterListQuerySchema, parseListQuery } from '../shared/services/deadLetters/operatorRequests.js';
import { httpFunction } from './lib/binding.js';
import { answerRead, queryOf } from './lib/http.js';
import { errorAnswer } from './lib/routeContract.js';

/** One dead letter as the route shows it: the body only as the store's redacted, bounded preview. */
export const deadLetterEntrySchema = z.strictObject({
  /** `<queue>:<source>:<key>`: what replay and purge take. */
  id: z.string(),
  queue: z.enum(QUEUE_NAMES),
  source: z.enum(DEAD_LETTER_SOURCES),
  reason: z.string(),
  /** Redacted. */
  description: z.string(),
  messageId: z.string(),
  originalMessageId: z.string().optional(),
  /** When it was dead-lettered where it lies (epoch ms). */
  firstSeenMs: z.number(),
  deliveryCount: z.number().int().optional(),
  /** The body as JSON text, secrets and links redacted, cut to DEADLETTER_PREVIEW_BYTES. */
  preview: z.string(),
  previewTruncated: z.boolean(),
});

export const deadLetterListingSchema = z.strictObject({
  entries: z.array(deadLetterEntrySchema),
  /** Present when more may follow: pass it as `after`, with the same filters. */
  next: z.string().optional(),
  /** Set when a dead-letter queue held more than DEADLETTER_SCAN_MAX messages: entries past it were not read. */
  scanLimitReached: z.boolean().optional(),
});

/** GET /api/deadletters?queues&source&deadLetterReason&limit&after -> a page of dead letters. Role Responder.Admin. */
export const deadLettersList = httpFunction({
  name: 'deadLettersList',
  methods: ['GET'],
  route: 'deadletters',
  role: 'Responder.Admin',
  api: {
    summary: 'Dead letters of every queue (poison queues and Service Bus’s own), filtered, one page at a time; bodies as redacted previews',
    query: deadLetterListQuerySchema,
    responses: {
      200: { description: 'a page of dead letters, oldest first per queue', schema: deadLetterListingSchema },
      400: errorAnswer('a query parameter is invalid, naming it'),
    },
  },
  handler: async (services, request) => {
    const listRequest = parseListQuery(queryOf(request));
    return answerRead(listRequest.ok ? await services.deadLetters.list(listRequest.value) : listRequest);
  },
});
