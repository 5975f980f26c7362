import { playbookListSchema } from '../shared/services/status/playbookList.js';
import { httpFunction } from './lib/binding.js';

/** GET /api/playbooks -> the loaded playbooks: name, version, content hash, triggers, schedule. Role Responder.Read. */
export const playbooksList = httpFunction({
  name: 'playbooksList',
  methods: ['GET'],
  route: 'playbooks',
  role: 'Responder.Read',
  api: {
    summary: 'The playbooks loaded: name, version, content SHA-256, description, triggers and schedule',
    responses: { 200: { description: 'the playbooks, by name', schema: playbookListSchema } },
  },
  handler: (services) => Promise.resolve({ status: 200, jsonBody: services.listPlaybooks() }),
});
