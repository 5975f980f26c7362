import { z } from 'zod';
import { IdempotencyConflict, manualRunRequestSchema } from '../shared/services/intake/manualRuns.js';
import { httpFunction } from './lib/binding.js';
import { auditOf, readJson, refuseInvalid } from './lib/http.js';
import { bodyTooLargeAnswer, errorAnswer, errorResponse } from './lib/routeContract.js';

/** What POST /api/runs answers: the run, where to follow it, the devices it targets and the ones refused. */
export const runStartedSchema = z.strictObject({
  runId: z.string(),
  statusUrl: z.string(),
  devices: z.array(z.string()),
  refused: z.array(z.object({ deviceId: z.string(), reason: z.string() })),
});

/** POST /api/runs {playbook, devices[]?, reason, idempotencyKey?} -> 202 {runId, statusUrl}. Role Responder.Run; audited. */
export const runsCreate = httpFunction({
  name: 'runsCreate',
  methods: ['POST'],
  route: 'runs',
  role: 'Responder.Run',
  api: {
    summary: 'Start a manual run of a playbook on devices (202 at once; no Defender call on the request path)',
    body: manualRunRequestSchema,
    responses: {
      202: { description: 'the run is recorded and its devices queued', schema: runStartedSchema },
      400: errorAnswer('the body is invalid, naming each field'),
      409: errorAnswer('the idempotency key was used before by another caller or for another request'),
      413: bodyTooLargeAnswer,
    },
  },
  handler: async (services, request, caller) => {
    const audit = auditOf('run.start', caller);
    const body = await readJson(request);
    if (!body.ok) return refuseInvalid(services, audit, body.errors);
    const started = await services.startManualRun(body.value, caller.principal);
    if (!started.ok) {
      const refusal = started.errors;
      if (!(refusal instanceof IdempotencyConflict)) return refuseInvalid(services, audit, refusal);
      await services.recordAudit({ ...audit, outcome: 'invalid', detail: `${refusal.path}: ${refusal.message}` });
      return errorResponse(409, 'IdempotencyKeyReused', refusal.message, { details: [{ path: refusal.path, message: refusal.message }] });
    }
    const { runId, deviceIds, refused, trigger } = started.value.run;
    await services.recordAudit({
      ...audit,
      outcome: 'done',
      target: runId,
      reason: trigger.kind === 'manual' ? trigger.reason : undefined,
      detail: `playbook ${started.value.run.playbook.name}; ${deviceIds.length} device(s), ${refused.length} refused`,
    });
    return {
      status: 202,
      headers: { Location: `/api/runs/${runId}` },
      jsonBody: { runId, statusUrl: `/api/runs/${runId}`, devices: deviceIds, refused } satisfies z.infer<typeof runStartedSchema>,
    };
  },
});
