import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HttpFunction } from '../../../functions/lib/binding.js';
import { FUNCTIONS } from '../../../functions/registry.js';
import { ROLE_NAMES } from '../../../shared/auth/roles.js';
import { blockAfter, entries, literal, readBicep, resourcesOf } from './bicep.js';

const root = path.resolve(import.meta.dirname, '../../..');
const functionApp = readBicep('modules/functionApp.bicep');

function major(versionLike: string): number {
  const m = /(\d+)/.exec(versionLike);
  if (!m?.[1]) throw new Error(`no version in ${versionLike}`);
  return Number(m[1]);
}

describe('the Function App (infra/modules/functionApp.bicep)', () => {
  it('runs the Node.js version of .nvmrc and @types/node, one package.json engines accepts, as does the Node running these tests', () => {
    const runtime = /runtime: \{ name: 'node', version: '(\d+)' \}/.exec(functionApp)?.[1] ?? '';
    const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      engines: { node: string };
      devDependencies: Record<string, string>;
    };
    const engines = manifest.engines.node;
    const lowest = /^>=\s*(\d+)$/.exec(engines)?.[1];

    expect(runtime).toBe('22');
    expect(major(readFileSync(path.join(root, '.nvmrc'), 'utf8'))).toBe(Number(runtime));
    // The types are the deployed runtime's; the tests, run on the lowest Node engines accepts, catch an API it lacks.
    expect(major(manifest.devDependencies['@types/node'] ?? '')).toBe(Number(runtime));
    expect(lowest, `engines ${engines}`).toBeDefined();
    expect(Number(lowest)).toBeLessThanOrEqual(Number(runtime));
    expect(major(process.version)).toBeGreaterThanOrEqual(Number(lowest));
  });

  it('runs on Flex Consumption, Linux, as its user-assigned identity, deployed from a container by that identity', () => {
    expect(functionApp).toMatch(/sku: \{ name: 'FC1', tier: 'FlexConsumption' \}/);
    expect(functionApp).toMatch(/kind: 'functionapp,linux'/);
    expect(functionApp).toMatch(/type: 'UserAssigned'\s+userAssignedIdentities: \{ '\$\{identityId\}': \{\} \}/);
    expect(functionApp).toMatch(/type: 'UserAssignedIdentity'\s+userAssignedIdentityResourceId: identityId/);
    // Site properties Flex refuses or ignores.
    expect(functionApp).not.toMatch(/linuxFxVersion|alwaysOn|ftpsState|use32BitWorkerProcess|functionAppScaleLimit/);
  });

  it('answers 401 to a request without an Entra token for the operator API', () => {
    const [auth] = resourcesOf(functionApp, 'Microsoft.Web/sites/config').filter((r) => /name: 'authsettingsV2'/.test(r.body));
    const validation = entries(blockAfter(auth?.body ?? '', /globalValidation: \{/) ?? '');

    expect(auth?.body).toMatch(/platform: \{ enabled: true \}/);
    expect(literal(validation.get('requireAuthentication') ?? '')).toBe(true);
    expect(literal(validation.get('unauthenticatedClientAction') ?? '')).toBe('Return401');
    expect(auth?.body).toMatch(/clientId: operatorApiClientId/);
  });

  it('lets through without a token exactly the routes the registry declares public', () => {
    const [auth] = resourcesOf(functionApp, 'Microsoft.Web/sites/config').filter((r) => /name: 'authsettingsV2'/.test(r.body));
    const excluded = /excludedPaths: \[([^\]]*)\]/.exec(blockAfter(auth?.body ?? '', /globalValidation: \{/) ?? '')?.[1] ?? '';
    const publicRoutes = FUNCTIONS.filter((f): f is HttpFunction => f.kind === 'http' && f.role === 'public').map((f) => `/api/${f.route}`);

    expect([...excluded.matchAll(/'([^']+)'/g)].map((m) => m[1])).toEqual(publicRoutes);
  });
});

describe('the operator API app registration (infra/modules/appRegistration.bicep)', () => {
  it("declares exactly the operator API's roles, for users and applications, and requires one to sign in", () => {
    const registration = readBicep('modules/appRegistration.bicep');
    const declared = [...registration.matchAll(/\{ value: '([^']+)', description: '[^']+' \}/g)].map((m) => m[1]);

    expect(declared.sort()).toEqual([...ROLE_NAMES].sort());
    expect(registration).toMatch(
      /for role in operatorRoles: \{[\s\S]*value: role\.value[\s\S]*allowedMemberTypes: \['User', 'Application'\]/,
    );
    expect(registration).toMatch(/appRoleAssignmentRequired: true/);
  });
});
