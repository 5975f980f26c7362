import { auditListQuerySchema, auditListSchema } from '../shared/services/audit/list.js';
import { httpFunction } from './lib/binding.js';
import { answerRead, queryOf } from './lib/http.js';
import { errorAnswer } from './lib/routeContract.js';

/** GET /api/audit?limit&continuationToken -> the audit log, newest first. Role Responder.Admin. */
export const auditList = httpFunction({
  name: 'auditList',
  methods: ['GET'],
  route: 'audit',
  role: 'Responder.Admin',
  api: {
    summary: 'The audit log, newest first, one page at a time',
    query: auditListQuerySchema,
    responses: {
      200: { description: 'a page of audit entries', schema: auditListSchema },
      400: errorAnswer('a query parameter is invalid, naming it'),
    },
  },
  handler: async (services, request) => answerRead(await services.listAudit(queryOf(request))),
});
