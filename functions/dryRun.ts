import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { services } from '../shared/appServices.js';
import './lib/azureServices.js';
import { readJson } from './lib/http.js';

/** POST /api/dryrun {playbook?, alert?, devices?} -> 200 the exact commands a run would send; nothing is submitted. */
export async function dryRunTrigger(request: HttpRequest, _context: InvocationContext): Promise<HttpResponseInit> {
  const body = await readJson(request);
  if (!body.ok) return { status: 400, jsonBody: { error: { code: 'InvalidRequestBody', message: body.errors } } };
  const result = await (await services()).dryRun(body.value);
  if (!result.ok) {
    return {
      status: 400,
      jsonBody: { error: { code: 'InvalidRequestBody', message: 'the request body is invalid', details: result.errors } },
    };
  }
  return { status: 200, jsonBody: result.value };
}

app.http('dryRun', { methods: ['POST'], route: 'dryrun', authLevel: 'function', handler: dryRunTrigger });
