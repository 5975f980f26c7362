import { isRunId } from '../shared/runs/ids.js';
import { runStatusSchema } from '../shared/services/status/runStatusSchema.js';
import { httpFunction } from './lib/binding.js';
import { RUN_ID_ISSUE } from './lib/http.js';
import { errorAnswer, errorResponse } from './lib/routeContract.js';

/** GET /api/runs/{id} -> the run's status, device by device, with its evidence. Role Responder.Read. */
export const runsGet = httpFunction({
  name: 'runsGet',
  methods: ['GET'],
  route: 'runs/{id}',
  role: 'Responder.Read',
  api: {
    summary: "A run's status: phase, each device's action and commands, outcomes and evidence",
    responses: {
      200: { description: 'the run', schema: runStatusSchema },
      400: errorAnswer('the id is not a run id'),
      404: errorAnswer('no run has this id'),
    },
  },
  handler: async (services, request) => {
    const runId = request.params.id ?? '';
    if (!isRunId(runId)) {
      return errorResponse(400, 'InvalidInput', `${RUN_ID_ISSUE.path}: ${RUN_ID_ISSUE.message}`);
    }
    const status = await services.runStatus(runId);
    if (!status) return errorResponse(404, 'NotFound', `run ${runId} was not found`);
    return { status: 200, jsonBody: status };
  },
});
