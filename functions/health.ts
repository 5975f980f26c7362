import { healthReportSchema } from '../shared/services/health/health.js';
import { publicHttpFunction } from './lib/binding.js';

/**
 * GET /api/health -> 200 when settings, storage, the bus and a Defender token
 * are all fine, 503 otherwise, each check's state. Public (no sign-in): it
 * says nothing secret.
 */
export const health = publicHttpFunction({
  name: 'health',
  methods: ['GET'],
  route: 'health',
  api: {
    summary: 'Whether the app can work: settings valid, storage and bus reachable, a Defender token obtainable (no sign-in)',
    responses: {
      200: { description: 'every check is ok (or not checked)', schema: healthReportSchema },
      503: { description: 'a check is failing', schema: healthReportSchema },
    },
  },
  handler: async (services) => {
    const report = await services.health();
    return { status: report.status === 'ok' ? 200 : 503, headers: { 'Cache-Control': 'no-store' }, jsonBody: report };
  },
});
