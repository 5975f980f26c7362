import { describe, expect, it } from 'vitest';
import { guardRoute } from '../../../functions/lib/guard.js';
import { runsCancel } from '../../../functions/runsCancel.js';
import { HttpRequest } from '../../../local/functionsRuntime.js';
import { encodeClientPrincipal } from '../../../shared/auth/principal.js';
import { loadConfig } from '../../../shared/config.js';
import { createServices } from '../../../shared/services/index.js';
import { startManualRun } from '../../../shared/services/intake/manualRuns.js';
import { DEVICE, fakeDeps } from '../../helpers/fakes.js';
import { analyst } from '../../helpers/principals.js';

const config = loadConfig({
  STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
  BUS_KIND: 'storage-queues',
  WEBSITE_AUTH_ENABLED: 'True',
});
const canceller = analyst('ana@contoso.com', ['Responder.Cancel']);

async function post(deps: ReturnType<typeof fakeDeps>, runId: string, body: unknown) {
  const request = new HttpRequest({
    method: 'POST',
    url: `http://localhost/api/runs/${runId}/cancel`,
    headers: { 'content-type': 'application/json', 'x-ms-client-principal': encodeClientPrincipal(canceller) },
    params: { id: runId },
    body: { string: JSON.stringify(body) },
  });
  return guardRoute(runsCancel, config)(createServices(deps), request, 'req-9');
}

async function manualRun() {
  const deps = fakeDeps();
  const started = await startManualRun(deps, { playbook: 'collect-hosts-file', devices: [DEVICE], reason: 'INC-1' }, analyst());
  if (!started.ok) throw new Error('no run');
  return { deps, runId: started.value.run.runId };
}

describe('POST /api/runs/{id}/cancel', () => {
  it('answers each device’s outcome and records the cancel, its reason and the outcomes in the audit log', async () => {
    const { deps, runId } = await manualRun();
    const response = await post(deps, runId, { reason: 'INC-7 false positive' });
    expect(response).toMatchObject({ status: 200, jsonBody: { runId, devices: [{ deviceId: DEVICE, outcome: 'cancelled' }] } });
    expect(deps.audit.all()).toMatchObject([
      {
        action: 'run.cancel',
        outcome: 'done',
        target: runId,
        reason: 'INC-7 false positive',
        detail: `${DEVICE}: cancelled`,
        who: { name: 'ana@contoso.com', roles: ['Responder.Cancel'] },
        requestId: 'req-9',
      },
    ]);
  });

  it('answers 404 for an unknown run and 400 naming the field for a missing reason, recording both attempts', async () => {
    const { deps, runId } = await manualRun();
    expect(await post(deps, 'm-00000000000000000000000000000000', { reason: 'x' })).toMatchObject({ status: 404 });
    const invalid = await post(deps, runId, { deviceId: DEVICE });
    expect(invalid.status).toBe(400);
    expect(JSON.stringify(invalid.jsonBody)).toContain('"path":"reason"');
    expect(deps.audit.all().map((e) => e.outcome)).toEqual(['invalid', 'invalid']);
    expect((await deps.runs.getAction(runId, DEVICE))?.value.state).toBe('queued');
  });
});
