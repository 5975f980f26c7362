import { describe, expect, it } from 'vitest';
import { dryRun } from '../../../functions/dryRun.js';
import { HttpRequest } from '../../../local/functionsRuntime.js';
import { loadPlaybooks } from '../../../shared/playbooks/loader.js';
import { createServices } from '../../../shared/services/index.js';
import { alertFixture, FINANCE } from '../../helpers/alerts.js';
import { fakeDeps } from '../../helpers/fakes.js';
import { analyst } from '../../helpers/principals.js';

const deps = fakeDeps({ playbooks: await loadPlaybooks('playbooks') });
const services = createServices(deps);
// The dry run reads device facts from the cached directory, as a run does.
await deps.devices.write([{ id: FINANCE, tags: [], osPlatform: 'Windows11' }], []);
const post = (body: unknown) =>
  dryRun.handler(
    services,
    new HttpRequest({
      method: 'POST',
      url: 'http://localhost/api/dryrun',
      headers: { 'content-type': 'application/json' },
      body: { string: JSON.stringify(body) },
    }),
    { principal: analyst(), requestId: 'req-1' },
  );

describe('POST /api/dryrun', () => {
  it('answers 200 with the commands a run would send, and submits nothing', async () => {
    const response = await post({ alert: alertFixture('defender-api-alert') });
    expect(response.status).toBe(200);
    expect(response.jsonBody).toMatchObject({
      plans: [{ playbook: { name: 'process-memory-dump' }, devices: [{ commands: [{ type: 'RunScript' }, { type: 'GetFile' }] }] }],
    });
    expect(deps.defender.calls.filter((c) => c.method === 'runLiveResponse')).toEqual([]);
    expect(deps.bus.sent).toEqual([]);
  });

  it('answers 400 naming the field', async () => {
    const response = await post({ playbook: 'collect-hosts-file', devices: ['nope'] });
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.jsonBody)).toContain('devices.0');
  });
});
