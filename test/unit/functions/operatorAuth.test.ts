import { describe, expect, it } from 'vitest';
import { guardRoute } from '../../../functions/lib/guard.js';
import { FUNCTIONS } from '../../../functions/registry.js';
import type { HttpFunction, SignedInRoute } from '../../../functions/lib/binding.js';
import { HttpRequest } from '../../../local/functionsRuntime.js';
import { encodeClientPrincipal, parseClientPrincipal } from '../../../shared/auth/principal.js';
import { ROLE_NAMES } from '../../../shared/auth/roles.js';
import { loadConfig } from '../../../shared/config.js';
import { createServices } from '../../../shared/services/index.js';
import { DEVICE, fakeDeps } from '../../helpers/fakes.js';
import { analyst } from '../../helpers/principals.js';

const base = { STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true', BUS_KIND: 'storage-queues' };
const routes = FUNCTIONS.filter((f): f is HttpFunction => f.kind === 'http');
const route = (name: string): HttpFunction => {
  const found = routes.find((r) => r.name === name);
  if (!found) throw new Error(`no route ${name}`);
  return found;
};

function call(declaration: HttpFunction, env: Record<string, string>, headers: Record<string, string> = {}, body?: unknown) {
  const deps = fakeDeps();
  const services = createServices(deps);
  const url = `http://localhost/api/${declaration.route.replace('{id}', 'm-00000000000000000000000000000000')}`;
  const request = new HttpRequest({
    method: declaration.methods[0] ?? 'GET',
    url,
    headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.7:51234', ...headers },
    params: { id: 'm-00000000000000000000000000000000' },
    ...(body === undefined ? {} : { body: { string: JSON.stringify(body) } }),
  });
  const guarded = guardRoute(declaration, loadConfig({ ...base, ...env }));
  // The manual-run route reads device facts from the cached directory, as a run does.
  const seeded = deps.devices.write([{ id: DEVICE, tags: [], osPlatform: 'Windows11' }], []);
  return { deps, answer: seeded.then(() => guarded(services, request, 'req-1')) };
}

const signedIn = (roles = ROLE_NAMES) => ({ 'x-ms-client-principal': encodeClientPrincipal(analyst('analyst@contoso.com', roles)) });

describe('operator API sign-in', () => {
  it('answers 401 when the request carries no verified principal, and records the refused attempt', async () => {
    const { deps, answer } = call(route('runsGet'), { WEBSITE_AUTH_ENABLED: 'True' });
    expect(await answer).toMatchObject({
      status: 401,
      headers: { 'WWW-Authenticate': 'Bearer' },
      jsonBody: { error: { code: 'Unauthenticated' } },
    });
    expect(deps.audit.all()).toMatchObject([
      { action: 'api.request', outcome: 'refused', target: 'GET /api/runs/{id}', requestId: 'req-1', sourceAddress: '203.0.113.7:51234' },
    ]);
    expect(deps.audit.all()[0]?.who).toBeUndefined();
  });

  it('answers 401 to a principal header when App Service Authentication is off: anyone could have written it', async () => {
    const { answer } = call(route('runsCreate'), {}, signedIn());
    const response = await answer;
    expect(response.status).toBe(401);
    expect(JSON.stringify(response.jsonBody)).toContain('App Service Authentication is not enabled');
  });

  it('answers 401 to a header that is not the platform’s base64 JSON', async () => {
    const { answer } = call(route('runsGet'), { WEBSITE_AUTH_ENABLED: 'True' }, { 'x-ms-client-principal': 'not-base64-json' });
    expect((await answer).status).toBe(401);
  });

  const signedInRoutes = routes.filter((r): r is SignedInRoute => r.role !== 'public');

  it('lets only the health check be called without sign-in: every other route is fail-closed', () => {
    expect(routes.filter((r) => r.role === 'public').map((r) => r.name)).toEqual(['health']);
  });

  it('answers the health check with no principal at all, and records nothing', async () => {
    const { deps, answer } = call(route('health'), { WEBSITE_AUTH_ENABLED: 'True' });
    expect(await answer).toMatchObject({ status: 200, jsonBody: { status: 'ok' } });
    expect(deps.audit.all()).toEqual([]);
  });

  it('gives dead letters and the audit log to Responder.Admin alone, and the status to Responder.Read', () => {
    const roles = Object.fromEntries(signedInRoutes.map((r) => [r.name, r.role]));
    expect(roles).toMatchObject({
      status: 'Responder.Read',
      deadLettersList: 'Responder.Admin',
      deadLettersReplay: 'Responder.Admin',
      deadLettersPurge: 'Responder.Admin',
      auditList: 'Responder.Admin',
    });
  });

  it.each(signedInRoutes.map((r) => [r.name, r.role] as const))(
    '%s needs %s: every other role alone is a 403 naming it',
    async (name, needed) => {
      for (const role of ROLE_NAMES) {
        const { answer, deps } = call(route(name), { WEBSITE_AUTH_ENABLED: 'True' }, signedIn([role]), {});
        const response = await answer;
        if (role === needed) {
          expect(response.status, role).not.toBe(401);
          expect(response.status, role).not.toBe(403);
        } else {
          expect(response.status, role).toBe(403);
          expect(JSON.stringify(response.jsonBody)).toContain(`needs the app role ${needed}`);
          expect(deps.audit.all()[0]).toMatchObject({ outcome: 'refused', who: { name: 'analyst@contoso.com', roles: [role] } });
        }
      }
    },
  );

  it('records a manual run in the audit log with who, why and the run, and names the caller in the chain of custody', async () => {
    const body = { playbook: 'collect-hosts-file', devices: [DEVICE], reason: 'INC-42' };
    const { deps, answer } = call(route('runsCreate'), { WEBSITE_AUTH_ENABLED: 'True' }, signedIn(['Responder.Run']), body);
    const response = await answer;
    expect(response.status).toBe(202);
    const { runId } = response.jsonBody as { runId: string };
    expect(deps.audit.all()).toMatchObject([
      {
        action: 'run.start',
        outcome: 'done',
        target: runId,
        reason: 'INC-42',
        who: { objectId: analyst().objectId, roles: ['Responder.Run'] },
      },
    ]);
    expect((await deps.runs.getRun(runId))?.run.trigger).toMatchObject({ requestedBy: `analyst@contoso.com (user ${analyst().objectId})` });
  });

  it('refuses a manual run without a reason, naming the field, and records the attempt', async () => {
    const body = { playbook: 'collect-hosts-file', devices: [DEVICE] };
    const { deps, answer } = call(route('runsCreate'), { WEBSITE_AUTH_ENABLED: 'True' }, signedIn(['Responder.Run']), body);
    const response = await answer;
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.jsonBody)).toContain('reason');
    expect(deps.audit.all()).toMatchObject([
      { action: 'run.start', outcome: 'invalid', detail: expect.stringContaining('reason') as string },
    ]);
  });

  it('in development mode every call is the development principal with its roles, whatever the headers say', async () => {
    const env = { OPERATOR_AUTH: 'development', DEV_PRINCIPAL_NAME: 'dev@local', DEV_PRINCIPAL_ROLES: 'Responder.Read' };
    const forged = { 'x-ms-client-principal': encodeClientPrincipal(analyst('mallory', ROLE_NAMES)) };
    const { answer } = call(route('runsCreate'), env, forged, {});
    const response = await answer;
    expect(response.status).toBe(403);
    expect(JSON.stringify(response.jsonBody)).toContain('dev@local holds Responder.Read');
  });

  it('refuses development sign-in in Azure', () => {
    expect(() => loadConfig({ ...base, OPERATOR_AUTH: 'development', WEBSITE_INSTANCE_ID: 'abc123' })).toThrow(
      /OPERATOR_AUTH: development sign-in is refused in Azure/,
    );
  });
});

describe('the X-MS-CLIENT-PRINCIPAL header', () => {
  const encode = (claims: { typ: string; val: string }[], roleTyp = 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role') =>
    Buffer.from(
      JSON.stringify({
        auth_typ: 'aad',
        name_typ: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name',
        role_typ: roleTyp,
        claims,
      }),
    ).toString('base64');

  it('reads the object id, name and roles under the URI claim names App Service maps them to, ignoring other roles', () => {
    const header = encode([
      { typ: 'http://schemas.microsoft.com/identity/claims/objectidentifier', val: 'oid-1' },
      { typ: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name', val: 'Ana Analyst' },
      { typ: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role', val: 'Responder.Read' },
      { typ: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role', val: 'Directory.Admin' },
      { typ: 'roles', val: 'Responder.Run' },
    ]);
    expect(parseClientPrincipal(header)).toEqual({
      ok: true,
      value: { objectId: 'oid-1', name: 'Ana Analyst', kind: 'user', roles: ['Responder.Read', 'Responder.Run'] },
    });
  });

  it('knows an application (a managed identity) by its idtyp claim and names it by its app id', () => {
    const header = encode([
      { typ: 'oid', val: 'oid-app' },
      { typ: 'idtyp', val: 'app' },
      { typ: 'azp', val: 'client-app-id' },
      { typ: 'roles', val: 'Responder.Run' },
    ]);
    expect(parseClientPrincipal(header)).toMatchObject({
      ok: true,
      value: { kind: 'app', name: 'app client-app-id', appId: 'client-app-id' },
    });
  });

  it('refuses a principal without an object id', () => {
    expect(parseClientPrincipal(encode([{ typ: 'name', val: 'x' }]))).toMatchObject({ ok: false });
  });
});
