import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { machineSchema } from '../../../shared/defender/types.js';
import { DEVICE, errorOf, jsonOf, startTestSimulator, type TestSimulator } from '../../helpers/simulator.js';

type Listed = { value: { id: string; computerDnsName: string }[] };

describe('GET /api/machines', () => {
  let t: TestSimulator;
  beforeEach(async () => {
    t = await startTestSimulator();
  });
  afterEach(async () => {
    await t.close();
  });

  const names = async (query: string): Promise<string[]> => {
    const res = await t.call(`/api/machines${query}`);
    expect(res.status).toBe(200);
    return (await jsonOf<Listed>(res)).value.map((m) => m.computerDnsName);
  };

  it('lists the fleet in the Machine shape', async () => {
    // Act
    const res = await t.call('/api/machines');
    const body = await jsonOf<{ value: unknown[] }>(res);
    // Assess
    const machines = body.value.map((m) => machineSchema.parse(m));
    expect(machines.map((m) => m.id)).toEqual(Object.values(DEVICE));
    expect(machines[0]).toMatchObject({ osPlatform: 'Windows11', healthStatus: 'Active', machineTags: ['Workstations', 'Finance'] });
  });

  it.each([
    ["?$filter=machineTags/any(t: t eq 'Finance')", ['ws-finance-07.contoso.local']],
    ["?$filter=machineTags/any(tag: tag eq 'Nightly-Collection')", ['srv-sql-01.contoso.local']],
    ["?$filter=startswith(computerDnsName,'ws-')", ['ws-finance-07.contoso.local', 'ws-dev-03.contoso.local']],
    ["?$filter=osPlatform eq 'Windows11' and healthStatus eq 'Active'", ['ws-finance-07.contoso.local', 'lt-sales-12.contoso.local']],
    ["?$filter=osPlatform ne 'Windows11'", ['srv-sql-01.contoso.local', 'ws-dev-03.contoso.local', 'web-lnx-02.contoso.local']],
    [`?$filter=id eq '${DEVICE.dev}'`, ['ws-dev-03.contoso.local']],
    ["?$filter=computerDnsName eq 'srv-sql-01.contoso.local'", ['srv-sql-01.contoso.local']],
    ['?$top=2&$skip=1', ['srv-sql-01.contoso.local', 'lt-sales-12.contoso.local']],
  ])('%s', async (query, expected) => {
    // Act
    const listed = await names(query);
    // Assess
    expect(listed).toEqual(expected);
  });

  it('answers 200 with an empty list when a filter matches nothing', async () => {
    // Act
    const res = await t.call("/api/machines?$filter=machineTags/any(t: t eq 'NoSuchTag')");
    // Assess
    expect(res.status).toBe(200);
    expect((await jsonOf<Listed>(res)).value).toEqual([]);
  });

  it('answers 400 ODataError for a property that is not filterable', async () => {
    // Act
    const res = await t.call("/api/machines?$filter=rbacGroupName eq 'x'");
    // Assess
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe('ODataError');
  });

  it('gets one machine by id or by computer name, 404 otherwise', async () => {
    // Act
    const byId = await t.call(`/api/machines/${DEVICE.sql}`);
    const byName = await t.call('/api/machines/srv-sql-01.contoso.local');
    const missing = await t.call('/api/machines/nobody.contoso.local');
    // Assess
    expect(byId.status).toBe(200);
    expect((await jsonOf<{ id: string }>(byName)).id).toBe(DEVICE.sql);
    expect((await jsonOf<{ '@odata.context': string }>(byId))['@odata.context']).toMatch(/#Machines\/\$entity$/);
    expect(missing.status).toBe(404);
  });
});
