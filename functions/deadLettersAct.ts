import { z } from 'zod';
import type { AuditedAction } from '../shared/audit/auditLog.js';
import type { DeadLetterReport } from '../shared/services/deadLetters/deadLetters.js';
import { deadLetterActionBodySchema, parseActionBody } from '../shared/services/deadLetters/operatorRequests.js';
import type { SelectionRequest } from '../shared/services/deadLetters/requests.js';
import { httpFunction, type SignedInRoute } from './lib/binding.js';
import { auditOf, readJson, refuseInvalid } from './lib/http.js';
import { errorAnswer } from './lib/routeContract.js';

/** What replay and purge answer: each dead letter's outcome, and the counts. */
export const deadLetterReportSchema = z.strictObject({
  outcomes: z.array(
    z.discriminatedUnion('outcome', [
      z.strictObject({ id: z.string(), outcome: z.literal('replayed'), replayMessageId: z.string() }),
      z.strictObject({ id: z.string(), outcome: z.literal('purged') }),
      z.strictObject({ id: z.string(), outcome: z.literal('not-found') }),
      z.strictObject({ id: z.string(), outcome: z.literal('refused'), detail: z.string() }),
    ]),
  ),
  counts: z.strictObject({ replayed: z.number(), purged: z.number(), 'not-found': z.number(), refused: z.number() }),
});

/** POST /api/deadletters/{replay|purge} {ids | all + filters, reason} -> 200 each dead letter's outcome. Role Responder.Admin; audited. */
function deadLetterAction(verb: 'replay' | 'purge', summary: string): SignedInRoute {
  const action: AuditedAction = verb === 'replay' ? 'deadletters.replay' : 'deadletters.purge';
  return httpFunction({
    name: verb === 'replay' ? 'deadLettersReplay' : 'deadLettersPurge',
    methods: ['POST'],
    route: `deadletters/${verb}`,
    role: 'Responder.Admin',
    api: {
      summary,
      body: deadLetterActionBodySchema,
      responses: {
        200: { description: 'each dead letter’s outcome, and the counts', schema: deadLetterReportSchema },
        400: errorAnswer('the body is invalid, naming the field'),
      },
    },
    handler: async (services, request, caller) => {
      const audit = auditOf(action, caller);
      const body = await readJson(request);
      if (!body.ok) return refuseInvalid(services, audit, body.errors);
      const parsed = parseActionBody(body.value);
      if (!parsed.ok) return refuseInvalid(services, audit, parsed.errors);
      const { selection, reason } = parsed.value;
      const targeted = { ...audit, target: targetOf(selection) };
      const done = await services.deadLetters[verb](selection);
      if (!done.ok) return refuseInvalid(services, targeted, done.errors);
      await services.recordAudit({ ...targeted, outcome: 'done', reason, detail: detailOf(done.value) });
      return { status: 200, jsonBody: done.value satisfies DeadLetterReport & z.infer<typeof deadLetterReportSchema> };
    },
  });
}

export const deadLettersReplay = deadLetterAction(
  'replay',
  'Send dead letters back to their queues (by id, or all a filter selects) after a fix, with a reason; reported per dead letter',
);
export const deadLettersPurge = deadLetterAction(
  'purge',
  'Remove dead letters for good (by id, or all a filter selects), with a reason; reported per dead letter',
);

/** What the audit entry names as acted on: the ids, or `all` with the filter, as JSON. */
function targetOf(selection: SelectionRequest): string {
  return JSON.stringify(selection).slice(0, 500);
}

function detailOf(report: DeadLetterReport): string {
  const c = report.counts;
  const counts = `${c.replayed} replayed, ${c.purged} purged, ${c['not-found']} not found, ${c.refused} refused`;
  const each = report.outcomes.map((o) => `${o.id}: ${o.outcome}`).join('; ');
  return `${counts}; ${each}`.slice(0, 2_000);
}
