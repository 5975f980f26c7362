import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { services } from '../shared/appServices.js';
import './lib/azureServices.js';
import { callerOf, readJson } from './lib/http.js';

/** POST /api/runs {playbook, devices[], reason?, idempotencyKey?} -> 202 {runId, statusUrl}. */
export async function runsCreateTrigger(request: HttpRequest, _context: InvocationContext): Promise<HttpResponseInit> {
  const body = await readJson(request);
  if (!body.ok) return { status: 400, jsonBody: { error: { code: 'InvalidRequestBody', message: body.errors } } };
  const started = await (await services()).startManualRun(body.value, callerOf(request));
  if (!started.ok) {
    return {
      status: 400,
      jsonBody: { error: { code: 'InvalidRequestBody', message: 'the request body is invalid', details: started.errors } },
    };
  }
  const runId = started.value.run.runId;
  return {
    status: 202,
    headers: { Location: `/api/runs/${runId}` },
    jsonBody: { runId, statusUrl: `/api/runs/${runId}`, devices: started.value.run.deviceIds, refused: started.value.run.refused },
  };
}

app.http('runsCreate', { methods: ['POST'], route: 'runs', authLevel: 'function', handler: runsCreateTrigger });
