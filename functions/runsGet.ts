import { isRunId } from '../shared/runs/ids.js';
import { httpFunction } from './lib/binding.js';

/** GET /api/runs/{id} -> the run's status, device by device, with its evidence. Role Responder.Read. */
export const runsGet = httpFunction({
  name: 'runsGet',
  methods: ['GET'],
  route: 'runs/{id}',
  role: 'Responder.Read',
  handler: async (services, request) => {
    const runId = request.params.id ?? '';
    if (!isRunId(runId)) {
      return { status: 400, jsonBody: { error: { code: 'InvalidInput', message: 'id: expected a run id such as a-0123abcd...' } } };
    }
    const status = await services.runStatus(runId);
    if (!status) return { status: 404, jsonBody: { error: { code: 'NotFound', message: `run ${runId} was not found` } } };
    return { status: 200, jsonBody: status };
  },
});
