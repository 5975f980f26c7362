import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { services } from '../shared/appServices.js';
import { isRunId } from '../shared/runs/ids.js';
import './lib/azureServices.js';

/** GET /api/runs/{id} -> the run's status, device by device, with its evidence. */
export async function runsGetTrigger(request: HttpRequest, _context: InvocationContext): Promise<HttpResponseInit> {
  const runId = request.params.id ?? '';
  if (!isRunId(runId)) {
    return { status: 400, jsonBody: { error: { code: 'InvalidInput', message: 'id: expected a run id such as a-0123abcd...' } } };
  }
  const status = await (await services()).runStatus(runId);
  if (!status) return { status: 404, jsonBody: { error: { code: 'NotFound', message: `run ${runId} was not found` } } };
  return { status: 200, jsonBody: status };
}

app.http('runsGet', { methods: ['GET'], route: 'runs/{id}', authLevel: 'function', handler: runsGetTrigger });
