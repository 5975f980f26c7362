import { runListQuerySchema, runListSchema } from '../shared/services/status/runList.js';
import { httpFunction } from './lib/binding.js';
import { answerRead, queryOf } from './lib/http.js';
import { errorAnswer } from './lib/routeContract.js';

/** GET /api/runs?status&playbook&device&trigger&createdFrom&createdBefore&limit&continuationToken -> run summaries, newest first. Role Responder.Read. */
export const runsList = httpFunction({
  name: 'runsList',
  methods: ['GET'],
  route: 'runs',
  role: 'Responder.Read',
  api: {
    summary:
      'Runs, newest first, filtered; one page at a time (filters other than the time range are applied while reading, at most RUNS_LIST_SCAN_MAX runs a request)',
    query: runListQuerySchema,
    responses: {
      200: { description: 'a page of run summaries', schema: runListSchema },
      400: errorAnswer('a query parameter is invalid, naming it'),
    },
  },
  handler: async (services, request) => answerRead(await services.listRuns(queryOf(request))),
});
