import { httpFunction } from './lib/binding.js';
import { auditOf, readJson, refuseInvalid } from './lib/http.js';

/** POST /api/runs {playbook, devices[]?, reason, idempotencyKey?} -> 202 {runId, statusUrl}. Role Responder.Run; audited. */
export const runsCreate = httpFunction({
  name: 'runsCreate',
  methods: ['POST'],
  route: 'runs',
  role: 'Responder.Run',
  handler: async (services, request, caller) => {
    const audit = auditOf('run.start', caller);
    const body = await readJson(request);
    if (!body.ok) return refuseInvalid(services, audit, body.errors);
    const started = await services.startManualRun(body.value, caller.principal);
    if (!started.ok) return refuseInvalid(services, audit, started.errors);
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
      jsonBody: { runId, statusUrl: `/api/runs/${runId}`, devices: deviceIds, refused },
    };
  },
});
