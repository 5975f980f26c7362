import { isRunId } from '../shared/runs/ids.js';
import { evidenceListQuerySchema, evidenceListSchema } from '../shared/services/evidenceAccess/evidenceList.js';
import { httpFunction } from './lib/binding.js';
import { answerRead, queryOf, RUN_ID_ISSUE } from './lib/http.js';
import { errorAnswer, errorResponse } from './lib/routeContract.js';

/** GET /api/runs/{id}/evidence?limit&continuationToken -> the run's stored files with their chain of custody. Role Responder.Read. */
export const runsEvidence = httpFunction({
  name: 'runsEvidence',
  methods: ['GET'],
  route: 'runs/{id}/evidence',
  role: 'Responder.Read',
  api: {
    summary: "A run's stored files, one page at a time: device, command, blob, size, SHA-256s, when and by which build collected",
    query: evidenceListQuerySchema,
    responses: {
      200: { description: 'a page of the run’s evidence', schema: evidenceListSchema },
      400: errorAnswer('the id or a query parameter is invalid, naming it'),
      404: errorAnswer('no run has this id'),
    },
  },
  handler: async (services, request) => {
    const runId = request.params.id ?? '';
    if (!isRunId(runId)) return errorResponse(400, 'InvalidInput', `${RUN_ID_ISSUE.path}: ${RUN_ID_ISSUE.message}`);
    const page = await services.runEvidence(runId, queryOf(request));
    return page ? answerRead(page) : errorResponse(404, 'NotFound', `run ${runId} was not found`);
  },
});
