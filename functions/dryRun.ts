import { httpFunction } from './lib/binding.js';
import { invalidBody, readJson } from './lib/http.js';

/** POST /api/dryrun {playbook?, alert?, devices?} -> 200 the exact commands a run would send; nothing is submitted. */
export const dryRun = httpFunction({
  name: 'dryRun',
  methods: ['POST'],
  route: 'dryrun',
  handler: async (services, request) => {
    const body = await readJson(request);
    if (!body.ok) return invalidBody(body.errors);
    const result = await services.dryRun(body.value);
    if (!result.ok) return invalidBody(result.errors);
    return { status: 200, jsonBody: result.value };
  },
});
