import { httpFunction } from './lib/binding.js';
import { callerOf, invalidBody, readJson } from './lib/http.js';

/** POST /api/runs {playbook, devices[], reason?, idempotencyKey?} -> 202 {runId, statusUrl}. */
export const runsCreate = httpFunction({
  name: 'runsCreate',
  methods: ['POST'],
  route: 'runs',
  handler: async (services, request) => {
    const body = await readJson(request);
    if (!body.ok) return invalidBody(body.errors);
    const started = await services.startManualRun(body.value, callerOf(request));
    if (!started.ok) return invalidBody(started.errors);
    const { runId, deviceIds, refused } = started.value.run;
    return {
      status: 202,
      headers: { Location: `/api/runs/${runId}` },
      jsonBody: { runId, statusUrl: `/api/runs/${runId}`, devices: deviceIds, refused },
    };
  },
});
