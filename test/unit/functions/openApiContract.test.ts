import type { HttpResponseInit } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { HttpFunction } from '../../../functions/lib/binding.js';
import { documentedRoute } from '../../../functions/lib/openApi.js';
import { errorEnvelopeSchema } from '../../../functions/lib/routeContract.js';
import { FUNCTIONS } from '../../../functions/registry.js';
import { ROLE_NAMES, type Role } from '../../../shared/auth/roles.js';
import type { Deps } from '../../../shared/services/deps.js';
import { createServices, type Services } from '../../../shared/services/index.js';
import { DEVICE, fakeDeps } from '../../helpers/fakes.js';
import { makeEvidence } from '../../helpers/runRecords.js';
import { callRoute, type RouteCall } from '../../helpers/routeCalls.js';

const routes = FUNCTIONS.filter((f): f is HttpFunction => f.kind === 'http');
const route = (name: string): HttpFunction => {
  const found = routes.find((r) => r.name === name);
  if (!found) throw new Error(`no route ${name}`);
  return found;
};

interface OpenApiDocument {
  paths: Record<string, Record<string, { 'x-required-role': string; security: unknown[]; responses: Record<string, unknown> }>>;
}

async function app(failingStorage = false, overrides: Partial<Deps> = {}): Promise<Services> {
  const deps = fakeDeps({
    ...(failingStorage ? { health: { storage: () => Promise.reject(new Error('down')), defenderToken: () => Promise.resolve() } } : {}),
    ...overrides,
  });
  await deps.devices.write([{ id: DEVICE, tags: [], osPlatform: 'Windows11' }], []);
  return createServices(deps);
}

const ALL: readonly Role[] = ROLE_NAMES;
const run = { playbook: 'collect-hosts-file', devices: [DEVICE], reason: 'INC-7', idempotencyKey: 'contract-0001' };
/** A body past the routes' 64 KiB cap. */
const oversized = { ...run, reason: 'x'.repeat(70_000) };

/** Per route, requests that draw each answer it documents besides 401 and 403 (those are drawn for every signed-in route below). */
const CASES: Record<string, [status: number, call: RouteCall][]> = {
  runsCreate: [
    [202, { roles: ALL, body: run }],
    [400, { roles: ALL, body: { playbook: 'collect-hosts-file' } }],
    [409, { roles: ALL, body: { ...run, reason: 'INC-8' } }],
    [413, { roles: ALL, body: oversized }],
  ],
  runsGet: [
    [200, { roles: ALL, params: { id: 'RUN' } }],
    [400, { roles: ALL, params: { id: 'not a run' } }],
    [404, { roles: ALL, params: { id: 'm-00000000000000000000000000000000' } }],
  ],
  runsCancel: [
    [200, { roles: ALL, params: { id: 'RUN' }, body: { reason: 'INC-8' } }],
    [400, { roles: ALL, params: { id: 'RUN' }, body: {} }],
    [404, { roles: ALL, params: { id: 'm-00000000000000000000000000000000' }, body: { reason: 'INC-8' } }],
    [413, { roles: ALL, params: { id: 'RUN' }, body: oversized }],
  ],
  dryRun: [
    [200, { roles: ALL, body: { playbook: 'collect-hosts-file', devices: [DEVICE] } }],
    [400, { roles: ALL, body: { devices: ['x'] } }],
    [413, { roles: ALL, body: oversized }],
  ],
  runsList: [
    [200, { roles: ALL, query: { trigger: 'manual', limit: '1' } }],
    [400, { roles: ALL, query: { status: 'finished' } }],
  ],
  runsEvidence: [
    [200, { roles: ALL, params: { id: 'RUN' }, query: { limit: '1' } }],
    [400, { roles: ALL, params: { id: 'RUN' }, query: { continuationToken: 'made-up' } }],
    [404, { roles: ALL, params: { id: 'm-00000000000000000000000000000000' } }],
  ],
  runsEvidenceLink: [
    [200, { roles: ALL, params: { id: 'RUN' }, body: { blob: 'RUN_BLOB', reason: 'INC-7' } }],
    [400, { roles: ALL, params: { id: 'RUN' }, body: { reason: 'INC-7' } }],
    [404, { roles: ALL, params: { id: 'RUN' }, body: { blob: 'm-00000000000000000000000000000000/manifest.json' } }],
    [503, { roles: ALL, params: { id: 'RUN' }, body: { blob: 'RUN_BLOB' } }],
  ],
  playbooksList: [[200, { roles: ALL }]],
  devicesList: [
    [200, { roles: ALL, query: { search: 'x', limit: '1' } }],
    [400, { roles: ALL, query: { continuationToken: 'made-up' } }],
  ],
  auditList: [
    [200, { roles: ALL, query: { limit: '1' } }],
    [400, { roles: ALL, query: { limit: 'all' } }],
  ],
  deadLettersList: [
    [200, { roles: ALL, query: { queues: 'actions', limit: '5' } }],
    [400, { roles: ALL, query: { source: 'dlq' } }],
  ],
  deadLettersReplay: [
    [200, { roles: ALL, body: { ids: ['actions:poison:1'], reason: 'INC-11' } }],
    [400, { roles: ALL, body: { ids: ['actions:poison:1'] } }],
  ],
  deadLettersPurge: [
    [200, { roles: ALL, body: { all: true, queues: ['collect'], reason: 'INC-12' } }],
    [400, { roles: ALL, body: { all: false, reason: 'INC-12' } }],
  ],
  status: [[200, { roles: ALL }]],
  health: [
    [200, {}],
    [503, {}],
  ],
  openApi: [[200, { roles: ALL }]],
  me: [[200, { roles: ['Responder.Read'] }]],
  consoleFiles: [
    [200, { roles: ALL, params: { path: 'console.css' } }],
    [404, { roles: ALL, params: { path: '../package.json' } }],
  ],
};

/**
 * Calls `name` in a world with one manual run in it (its audit entry, one stored file); `RUN` in a parameter stands
 * for that run's id, `RUN_BLOB` in the body for its file. Evidence links answer 503 where no signer is configured.
 */
async function answer(name: string, status: number, call: RouteCall): Promise<HttpResponseInit> {
  const services = await app(
    name === 'health' && status === 503,
    name === 'runsEvidenceLink' && status === 503 ? { evidenceLinks: undefined } : {},
  );
  const started = await callRoute(services, route('runsCreate'), { roles: ALL, body: run });
  const { runId } = started.jsonBody as { runId: string };
  const stored = makeEvidence(runId, DEVICE, 'ma-1', 0);
  await services.deps.runs.putEvidence(stored);
  if (name === 'status') {
    await waitInLine(services, DEVICE, ['r-holder', 'r-waiting-1', 'r-waiting-2']);
    await services.deps.owedNotifications.owe(
      { id: 'notify.webhook.run-ended.r-1', sink: 'webhook', event: { kind: 'run-ended', runId: 'r-1' } },
      0,
    );
  }
  const params = call.params?.id === 'RUN' ? { id: runId } : call.params;
  const body = JSON.stringify(call.body)?.replaceAll('RUN_BLOB', stored.blobName);
  return callRoute(services, route(name), {
    ...call,
    ...(params ? { params } : {}),
    ...(body ? { body: JSON.parse(body) as unknown } : {}),
  });
}

describe('the OpenAPI document and the routes agree', () => {
  it('documents exactly the registry’s routes, each with its role', async () => {
    const document = (await callRoute(await app(), route('openApi'), { roles: ['Responder.Read'] })).jsonBody as OpenApiDocument;
    const documented = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.entries(operations).map(([method, operation]) => `${method.toUpperCase()} ${path} ${operation['x-required-role']}`),
    );
    const registered = routes.flatMap((r) => r.methods.map((m) => `${m} /${documentedRoute(r.route)} ${r.role}`));
    expect(documented.sort()).toEqual(registered.sort());
    expect(document.paths['/health']?.get?.security).toEqual([]);
    expect(document.paths['/audit']?.get?.security).toEqual([{ appServiceAuth: ['Responder.Admin'] }]);
  });

  it('documents the devices’ waiting lines in the status beside the devices holding a slot', async () => {
    const document = (await callRoute(await app(), route('openApi'), { roles: ['Responder.Read'] })).jsonBody as OpenApiDocument;
    const answer = JSON.stringify(document.paths['/status']?.get?.responses['200']);
    for (const field of ['waitingLines', 'waiters', 'waitersLimit', 'perDeviceLimit', 'longest', 'deviceId', 'firstWaiterFallback'])
      expect(answer).toContain(`"${field}"`);
    expect(answer).toContain('devices holding a reserved send slot');
  });

  it('documents the notifications owed in the status: their count, how far to trust it, and the oldest one’s age', async () => {
    const document = (await callRoute(await app(), route('openApi'), { roles: ['Responder.Read'] })).jsonBody as OpenApiDocument;
    const answer = JSON.stringify(document.paths['/status']?.get?.responses['200']);
    for (const field of ['notifications', 'owed', 'count', 'countIs', 'oldestAgeMs', 'oldestAgeIs']) expect(answer).toContain(`"${field}"`);
    expect(answer).toContain('STATUS_OWED_COUNT_MAX');
  });

  it('has a case for every route and every answer it documents', () => {
    for (const r of routes) {
      const drawn = (CASES[r.name] ?? []).map(([status]) => status).sort();
      expect(drawn, r.name).toEqual(Object.keys(r.api.responses).map(Number).sort());
    }
  });

  it.each(Object.entries(CASES).flatMap(([name, cases]) => cases.map(([status, call]) => [name, status, call] as const)))(
    '%s answers %i with a body its documented schema accepts',
    async (name, status, call) => {
      const response = await answer(name, status, call);
      expect(response.status, JSON.stringify(response.jsonBody)).toBe(status);
      expectDocumented(route(name), status, response);
    },
  );

  it.each(routes.filter((r) => r.role !== 'public').map((r) => [r.name] as const))(
    '%s refuses a caller without sign-in (401) and without its role (403) in the error envelope',
    async (name) => {
      const services = await app();
      const wrongRole = ROLE_NAMES.find((r) => r !== route(name).role) ?? 'Responder.Read';
      for (const [status, call] of [
        [401, {}],
        [403, { roles: [wrongRole] }],
      ] as const) {
        const response = await callRoute(services, route(name), call);
        expect(response.status).toBe(status);
        expectDocumented(route(name), status, response);
      }
    },
  );
});

/** The first run holds the device (a send slot), the others wait in its line: the status then names a waiting line. */
async function waitInLine(services: Services, deviceId: string, runIds: readonly string[]): Promise<void> {
  for (const runId of runIds) await services.deps.pacer.requestSlot({ deviceId, runId });
}

/** The answer's status is in the document and its body passes the schema the document was generated from. */
function expectDocumented(r: HttpFunction, status: number, response: HttpResponseInit): void {
  const signInRefusal = r.role !== 'public' && (status === 401 || status === 403);
  const schema: z.ZodType | undefined = signInRefusal ? errorEnvelopeSchema : r.api.responses[status]?.schema;
  expect(schema, `${r.name} does not document ${status}`).toBeDefined();
  // A JSON answer is checked as JSON; a file (the console's) as the text it is.
  const parsed = schema?.safeParse(response.jsonBody ?? response.body);
  expect(parsed?.success, `${r.name} ${status}: ${JSON.stringify(parsed?.error?.issues)}`).toBe(true);
}
