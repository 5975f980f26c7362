import { afterEach, describe, expect, it } from 'vitest';
import { DEVICE, errorOf, startTestSimulator, type TestSimulator } from '../../helpers/simulator.js';

describe('$filter strictness (strictOData, README choice 29)', () => {
  let t: TestSimulator;
  afterEach(async () => {
    await t.close();
  });

  const status = async (path: string): Promise<number> => (await t.call(path)).status;

  it('takes undocumented operators and any casing in the lenient profile', async () => {
    t = await startTestSimulator();
    expect(await status(`/api/machineactions?$filter=id in ('${'0'.repeat(8)}-0000-0000-0000-000000000000')`)).toBe(200);
    expect(await status("/api/machines?$filter=osPlatform eq 'Windows11' or osPlatform eq 'Windows10'")).toBe(200);
    expect(await status(`/api/machineactions?$filter=MACHINEID eq '${DEVICE.sql}'`)).toBe(200);
  });

  it.each([
    ["/api/machineactions?$filter=id in ('a','b')", "operator 'in'"],
    ["/api/machines?$filter=osPlatform eq 'Windows11' or osPlatform eq 'Windows10'", "operator 'or'"],
    ["/api/machines?$filter=not (healthStatus eq 'Active')", "operator 'not'"],
    ["/api/machines?$filter=contains(computerDnsName,'fin')", "function 'contains'"],
    ['/api/alerts?$filter=incidentId gt 5', "operator 'gt' on 'incidentId'"],
    [`/api/machineactions?$filter=MACHINEID eq '${DEVICE.sql}'`, "property 'MACHINEID'"],
    [`/api/machineactions?$filter=machineid eq '${DEVICE.sql}'`, "use 'machineId'"],
  ])('refuses %s under the strict profile, naming %s', async (path, named) => {
    t = await startTestSimulator({ settings: { profile: 'strict' } });
    const res = await t.call(path);
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error.code).toBe('ODataError');
    expect(error.message).toContain(named);
  });

  it.each([
    `/api/machineactions?$filter=machineId eq '${DEVICE.sql}' and type eq 'LiveResponse' and creationDateTimeUtc ge 2026-11-20T09:01:00Z`,
    `/api/machineactions?$filter=MachineId eq '${DEVICE.sql}' and Status ne 'Succeeded'`,
    "/api/machines?$filter=machineTags/any(tag: tag eq 'finance') and startswith(computerDnsName,'fin')",
    '/api/machines?$filter=lastSeen gt 2018-08-01Z',
    '/api/alerts?$filter=lastUpdateTime gt 2026-11-20T09:00:00Z',
  ])('accepts the documented form %s under the strict profile', async (path) => {
    t = await startTestSimulator({ settings: { strictOData: true } });
    expect(await status(path)).toBe(200);
  });
});
