import { z } from 'zod';
import { isRunId } from '../shared/runs/ids.js';
import { cancelRequestSchema, type CancelReport } from '../shared/services/cancel/cancelRun.js';
import { httpFunction } from './lib/binding.js';
import { auditOf, readJson, refuseInvalid, RUN_ID_ISSUE } from './lib/http.js';
import { bodyTooLargeAnswer, errorAnswer } from './lib/routeContract.js';

/** What POST /api/runs/{id}/cancel answers: each device's outcome. */
export const cancelReportSchema = z.strictObject({
  runId: z.string(),
  devices: z.array(
    z.strictObject({
      deviceId: z.string(),
      outcome: z.enum(['cancelled', 'cancelling', 'already-ended', 'not-found']),
      detail: z.string(),
    }),
  ),
});

/** POST /api/runs/{id}/cancel {reason, deviceId?} -> 200 {runId, devices: [{deviceId, outcome, detail}]}. Role Responder.Cancel; audited. */
export const runsCancel = httpFunction({
  name: 'runsCancel',
  methods: ['POST'],
  route: 'runs/{id}/cancel',
  role: 'Responder.Cancel',
  api: {
    summary: 'Cancel a run, or one device of it, with a reason: reported per device; idempotent',
    body: cancelRequestSchema,
    responses: {
      200: { description: 'each device’s outcome', schema: cancelReportSchema },
      400: errorAnswer('the id or the body is invalid, naming the field'),
      404: errorAnswer('no run has this id'),
      413: bodyTooLargeAnswer,
    },
  },
  handler: async (services, request, caller) => {
    const audit = { ...auditOf('run.cancel', caller), target: request.params.id ?? '' };
    if (!isRunId(audit.target)) return refuseInvalid(services, audit, [RUN_ID_ISSUE]);
    const body = await readJson(request);
    if (!body.ok) return refuseInvalid(services, audit, body.errors);
    const cancelled = await services.cancelRun(audit.target, body.value, caller.principal);
    if (!cancelled) {
      await services.recordAudit({ ...audit, outcome: 'invalid', detail: 'id: no such run' });
      return { status: 404, jsonBody: { error: { code: 'NotFound', message: `run ${audit.target} was not found` } } };
    }
    if (!cancelled.ok) return refuseInvalid(services, audit, cancelled.errors);
    const { report, reason } = cancelled.value;
    await services.recordAudit({
      ...audit,
      outcome: 'done',
      reason,
      detail: report.devices
        .map((d) => `${d.deviceId}: ${d.outcome}`)
        .join('; ')
        .slice(0, 2_000),
    });
    return { status: 200, jsonBody: report satisfies CancelReport & z.infer<typeof cancelReportSchema> };
  },
});
