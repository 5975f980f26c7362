import { responderStatusSchema } from '../shared/services/status/responderStatus.js';
import { httpFunction } from './lib/binding.js';

/** GET /api/status -> the pacing state, each queue's depth and the notifications owed at a glance, read only. Role Responder.Read. */
export const status = httpFunction({
  name: 'status',
  methods: ['GET'],
  route: 'status',
  role: 'Responder.Read',
  api: {
    summary:
      'The pacing state at a glance (calls in the window, sessions, devices waiting for a slot, the devices’ waiting lines and the longest of them, the next free slot, any 429 penalty, the status budget) each queue’s depth, oldest ready message and dead letters, and the notifications owed (counted up to STATUS_OWED_COUNT_MAX, with the oldest one’s age); read only, no Defender call; a part that cannot be read says unavailable',
    responses: {
      200: { description: 'the status; each count says whether it is exact, at least or approximate', schema: responderStatusSchema },
    },
  },
  handler: async (services) => ({ status: 200, jsonBody: await services.status() }),
});
