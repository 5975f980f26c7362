import { dryRunRequestSchema } from '../shared/services/intake/dryRun.js';
import { dryRunResultSchema } from '../shared/services/intake/dryRunResultSchema.js';
import { httpFunction } from './lib/binding.js';
import { auditOf, readJson, refuseInvalid } from './lib/http.js';
import { bodyTooLargeAnswer, errorAnswer } from './lib/routeContract.js';

/** POST /api/dryrun {playbook?, alert?, devices?} -> 200 the exact commands a run would send; nothing is submitted. Role Responder.Run; audited. */
export const dryRun = httpFunction({
  name: 'dryRun',
  methods: ['POST'],
  route: 'dryrun',
  role: 'Responder.Run',
  api: {
    summary: 'The exact commands a run would send, per device, and why each playbook does or does not answer; nothing is submitted',
    body: dryRunRequestSchema,
    responses: {
      200: { description: 'the plans', schema: dryRunResultSchema },
      400: errorAnswer('the body is invalid, naming each field'),
      413: bodyTooLargeAnswer,
    },
  },
  handler: async (services, request, caller) => {
    const audit = auditOf('dryrun', caller);
    const body = await readJson(request);
    if (!body.ok) return refuseInvalid(services, audit, body.errors);
    const result = await services.dryRun(body.value);
    if (!result.ok) return refuseInvalid(services, audit, result.errors);
    await services.recordAudit({ ...audit, outcome: 'done' });
    return { status: 200, jsonBody: result.value };
  },
});
