import { deviceSearchQuerySchema, deviceSearchResultSchema } from '../shared/services/directory/search.js';
import { httpFunction } from './lib/binding.js';
import { answerRead, queryOf } from './lib/http.js';
import { errorAnswer } from './lib/routeContract.js';

/** GET /api/devices?search&tag&limit&continuationToken -> devices from the cached directory, for picking a run's devices. Role Responder.Run. */
export const devicesList = httpFunction({
  name: 'devicesList',
  methods: ['GET'],
  route: 'devices',
  role: 'Responder.Run',
  api: {
    summary:
      'Devices from the cached device directory (what the refresh timer last listed), found by part of the name, the start of the id or a tag, ordered by name, one page at a time; no Defender call',
    query: deviceSearchQuerySchema,
    responses: {
      200: { description: 'a page of devices', schema: deviceSearchResultSchema },
      400: errorAnswer('a query parameter is invalid, naming it'),
    },
  },
  handler: async (services, request) => answerRead(await services.searchDevices(queryOf(request))),
});
