import { describe, expect, it } from 'vitest';
import type { HttpFunction } from '../../../functions/lib/binding.js';
import { FUNCTIONS } from '../../../functions/registry.js';
import { createServices } from '../../../shared/services/index.js';
import { fakeDeps } from '../../helpers/fakes.js';
import { callRoute } from '../../helpers/routeCalls.js';

const route = (name: string): HttpFunction => {
  const found = FUNCTIONS.find((f): f is HttpFunction => f.kind === 'http' && f.name === name);
  if (!found) throw new Error(`no route ${name}`);
  return found;
};

describe('operator reads over HTTP', () => {
  it('lists the loaded playbooks with the content hash each run records and their schedule', async () => {
    const deps = fakeDeps();
    const response = await callRoute(createServices(deps), route('playbooksList'), { roles: ['Responder.Read'] });
    const hosts = deps.playbooks.find((p) => p.playbook.name === 'collect-hosts-file');
    expect(response.status).toBe(200);
    expect(response.jsonBody).toMatchObject({
      playbooks: [
        {
          name: 'collect-hosts-file',
          version: hosts?.playbook.version,
          contentSha256: hosts?.contentSha256,
          triggers: hosts?.playbook.triggers,
          schedule: hosts?.playbook.schedule?.cron,
        },
        { name: 'process-memory-dump', triggers: ['alert'] },
      ],
    });
  });

  it('pages the audit log newest first for an admin', async () => {
    const deps = fakeDeps();
    const services = createServices(deps);
    for (const requestId of ['r1', 'r2', 'r3']) {
      await services.recordAudit({ action: 'dryrun', outcome: 'done', requestId });
      deps.clock.advance(1000);
    }
    const first = await callRoute(services, route('auditList'), { roles: ['Responder.Admin'], query: { limit: '2' } });
    const firstPage = first.jsonBody as { entries: { requestId: string }[]; continuationToken?: string };
    expect(firstPage.entries.map((e) => e.requestId)).toEqual(['r3', 'r2']);
    const second = await callRoute(services, route('auditList'), {
      roles: ['Responder.Admin'],
      query: { limit: '2', continuationToken: firstPage.continuationToken ?? '' },
    });
    expect(second.jsonBody).toMatchObject({ entries: [{ requestId: 'r1' }] });
  });

  it('answers a made-up audit continuation token with a 400 naming it, not a server error', async () => {
    const response = await callRoute(createServices(fakeDeps()), route('auditList'), {
      roles: ['Responder.Admin'],
      query: { continuationToken: 'made-up' },
    });
    expect(response).toMatchObject({ status: 400, jsonBody: { error: { details: [{ path: 'continuationToken' }] } } });
  });

  it('refuses a bad runs query in the error envelope, naming the parameter', async () => {
    const response = await callRoute(createServices(fakeDeps()), route('runsList'), {
      roles: ['Responder.Read'],
      query: { status: 'finished' },
    });
    expect(response).toMatchObject({
      status: 400,
      jsonBody: { error: { code: 'InvalidQuery', details: [{ path: 'status', message: expect.stringContaining('queued') as string }] } },
    });
  });
});
