import { describe, expect, it } from 'vitest';
import { budgetFor, quotaKey } from '../../../simulator/budgets.js';
import { parseFleet } from '../../../simulator/index.js';

const settings = parseFleet({ devices: [{ id: 'a'.repeat(40), computerDnsName: 'a' }] }).options;
const ours = { appId: 'app-a', tenantId: 't1' };
const theirs = { appId: 'app-b', tenantId: 't1' };
const lenient = { quotaScope: 'app', rateBuckets: 'perEndpoint' } as const;
const strict = { quotaScope: 'tenant', rateBuckets: 'shared' } as const;

describe('rate-limit budgets', () => {
  it('gives each endpoint of the 100/min class its own bucket per endpoint, one shared bucket when shared', () => {
    // Act
    const perEndpoint = [
      budgetFor('standard', 'listMachines', ours, settings, lenient),
      budgetFor('standard', 'getMachine', ours, settings, lenient),
    ];
    const shared = [
      budgetFor('standard', 'listMachines', ours, settings, strict),
      budgetFor('standard', 'getMachine', ours, settings, strict),
    ];
    // Assess
    expect(perEndpoint[0]?.key).not.toBe(perEndpoint[1]?.key);
    expect(shared[0]?.key).toBe(shared[1]?.key);
    expect(shared[0]?.limits).toEqual([
      { windowMs: 60_000, max: 100 },
      { windowMs: 3_600_000, max: 1_500 },
    ]);
  });

  it('keeps runliveresponse and batchUpdate out of the shared bucket', () => {
    // Act
    const keys = [
      budgetFor('standard', 'listMachines', ours, settings, strict).key,
      budgetFor('liveResponse', 'runLiveResponse', ours, settings, strict).key,
      budgetFor('alertBatch', 'batchUpdateAlerts', ours, settings, strict).key,
    ];
    // Assess
    expect(new Set(keys).size).toBe(3);
  });

  it('shares the runliveresponse bucket between the apps of a tenant only under the tenant scope', () => {
    // Act
    const perApp = [ours, theirs].map((o) => budgetFor('liveResponse', 'runLiveResponse', o, settings, lenient).key);
    const perTenant = [ours, theirs].map((o) => budgetFor('liveResponse', 'runLiveResponse', o, settings, strict).key);
    const otherTenant = budgetFor('liveResponse', 'runLiveResponse', { appId: 'app-a', tenantId: 't2' }, settings, strict).key;
    // Assess
    expect(perApp[0]).not.toBe(perApp[1]);
    expect(perTenant[0]).toBe(perTenant[1]);
    expect(otherTenant).not.toBe(perTenant[0]);
    expect(quotaKey(ours, 'tenant')).toBe(quotaKey(theirs, 'tenant'));
    expect(quotaKey(ours, 'app')).not.toBe(quotaKey(theirs, 'app'));
  });

  it('keeps the 100/min class per app even under the tenant scope', () => {
    // Act
    const keys = [ours, theirs].map((o) => budgetFor('standard', 'listMachines', o, settings, strict).key);
    // Assess
    expect(keys[0]).not.toBe(keys[1]);
  });
});
