import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { INFRA, namesBicep, readBicep, resourcesOf } from './bicep.js';

/** Built-in roles the templates may assign, by id. */
const ALLOWED: Record<string, string> = {
  'b7e6dc6d-f1e8-4753-8033-0f276bb0955b': 'Storage Blob Data Owner (host storage only)',
  '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3': 'Storage Table Data Contributor',
  '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39': 'Azure Service Bus Data Sender',
  '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0': 'Azure Service Bus Data Receiver',
  '3913510d-42f4-4e42-8a64-420c390055eb': 'Monitoring Metrics Publisher',
  'db58b8e5-c6ad-4a2a-8342-4190687cbf4a': 'Storage Blob Delegator (user delegation keys only)',
};

/** Roles that must appear nowhere in infra/. */
const FORBIDDEN: Record<string, string> = {
  '8e3af657-a8ff-443c-a75c-2fe8c4bcb635': 'Owner',
  'b24988ac-6180-42a0-ab88-20f7382dd24c': 'Contributor',
  '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9': 'User Access Administrator',
  '090c5cfd-751d-490a-894a-3ce6f1109419': 'Azure Service Bus Data Owner',
  '17d1049b-9a84-46fb-8f53-7814aef86e62': 'Storage Account Contributor',
  'ba92f5b4-2d11-453d-a403-e96b0029c9fe': 'Storage Blob Data Contributor (has delete; the evidence writer does not)',
  '974c5e8b-45b9-4653-ba55-5f855dd0fb88': 'Storage Queue Data Contributor (no storage queues in Azure)',
};

const roles = readBicep('modules/roles.bicep');
const roleIds = new Map([...namesBicep()].filter(([k]) => k.startsWith('roleIds.')).map(([k, v]) => [k, String(v)]));

interface Assignment {
  symbol: string;
  scope: string;
  role: string;
  body: string;
}

/** Each role assignment with its scope symbol and its role (a built-in id from names.bicep, or the custom role's symbol). */
function assignments(): Assignment[] {
  return resourcesOf(roles, 'Microsoft.Authorization/roleAssignments').map(({ symbol, body }) => {
    const scope = /^\s*scope: (\w+)$/m.exec(body)?.[1] ?? '';
    const builtIn = /roleDefinitionId: subscriptionResourceId\('Microsoft\.Authorization\/roleDefinitions', (roleIds\.\w+)\)/.exec(
      body,
    )?.[1];
    const custom = /roleDefinitionId: (\w+)\.id$/m.exec(body)?.[1];
    return {
      symbol,
      scope,
      role: builtIn !== undefined ? (roleIds.get(builtIn) ?? `unresolved ${builtIn}`) : (custom ?? 'unreadable'),
      body,
    };
  });
}

function bicepFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? bicepFiles(path.join(dir, e.name)) : e.name.endsWith('.bicep') ? [path.relative(INFRA, path.join(dir, e.name))] : [],
  );
}

describe("the app identity's roles (infra/modules/roles.bicep)", () => {
  it('are each an allowed built-in role or the evidence writer, assigned to a service principal', () => {
    const found = assignments();

    expect(found.length).toBeGreaterThan(0);
    for (const a of found) {
      expect(a.role in ALLOWED || a.role === 'evidenceWriter', `${a.symbol}: ${a.role}`).toBe(true);
      expect(a.body, a.symbol).toMatch(/principalType: 'ServicePrincipal'/);
    }
  });

  it('never name Owner, Contributor, User Access Administrator or a data owner role outside host storage', () => {
    const everything = bicepFiles(INFRA)
      .map((f) => readBicep(f))
      .join('\n');

    for (const [id, name] of Object.entries(FORBIDDEN)) expect(everything, name).not.toContain(id);
    const owners = assignments().filter((a) => a.role === 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b');
    expect(owners.map((a) => a.scope)).toEqual(['hostStorage']);
  });

  it('give exactly what the app needs, each at its narrowest scope', () => {
    const found = assignments()
      .map((a) => `${ALLOWED[a.role] ?? a.role} @ ${a.scope}`)
      .sort();

    expect(found).toEqual(
      [
        'Storage Blob Data Owner (host storage only) @ hostStorage',
        'Storage Table Data Contributor @ hostStorage',
        'evidenceWriter @ evidenceContainer',
        'Storage Table Data Contributor @ evidenceStorage',
        'Storage Blob Delegator (user delegation keys only) @ evidenceStorage',
        'Azure Service Bus Data Sender @ serviceBus',
        'Azure Service Bus Data Receiver @ serviceBus',
        'Monitoring Metrics Publisher @ appInsights',
      ].sort(),
    );
    expect(roles).toMatch(
      /^resource evidenceContainer '[^']+' existing = \{\s+name: '\$\{evidenceStorageAccountName\}\/default\/\$\{evidenceContainerName\}'/m,
    );
  });

  it('let the evidence writer read, write and tag blobs, and never delete one', () => {
    const [writer] = resourcesOf(roles, 'Microsoft.Authorization/roleDefinitions');
    const quoted = [...(writer?.body ?? '').matchAll(/^\s*'(Microsoft\.[^']+)'$/gm)].map((m) => m[1]);

    expect(quoted.sort()).toEqual(
      [
        'Microsoft.Storage/storageAccounts/blobServices/containers/read',
        'Microsoft.Storage/storageAccounts/blobServices/containers/write',
        'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read',
        'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write',
        'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/add/action',
        'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/tags/read',
        'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/tags/write',
      ].sort(),
    );
    expect(writer?.body).toMatch(/assignableScopes: \[resourceGroup\(\)\.id\]/);
  });
});
