import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MINUTE_MS } from '../../../shared/clock.js';
import { DEVICE, errorOf, getFile, jsonOf, runScript, startTestSimulator, type TestSimulator } from '../../helpers/simulator.js';

type Listed = { value: { id: string; machineId: string; status: string; creationDateTimeUtc: string }[]; '@odata.count'?: number };

describe('GET /api/machineactions', () => {
  let t: TestSimulator;
  const ids: string[] = [];
  beforeEach(async () => {
    // Prepare: three actions a minute apart (09:00 finance, 09:01 sql, 09:02 dev)
    t = await startTestSimulator();
    ids.length = 0;
    for (const device of [DEVICE.finance, DEVICE.sql, DEVICE.dev]) {
      const res = await t.runLiveResponse(device, [
        runScript('Collect-Triage.ps1', '-OutputName x'),
        getFile('C:\\ProgramData\\MdeResponder\\Out\\x.zip'),
      ]);
      ids.push((await jsonOf<{ id: string }>(res)).id);
      t.clock.advance(MINUTE_MS);
    }
  });
  afterEach(async () => {
    await t.close();
  });

  const list = async (query: string): Promise<Listed> => {
    const res = await t.call(`/api/machineactions${query}`);
    expect(res.status).toBe(200);
    return jsonOf<Listed>(res);
  };

  it('lists newest first', async () => {
    // Act
    const listed = await list('');
    // Assess
    expect(listed.value.map((a) => a.id)).toEqual([...ids].reverse());
  });

  it("filters with id in ('a','b')", async () => {
    // Act
    const listed = await list(`?$filter=id in ('${ids[0]}','${ids[2]}')`);
    // Assess
    expect(listed.value.map((a) => a.id).sort()).toEqual([ids[0], ids[2]].sort());
  });

  it('filters on machineId, type and creationDateTimeUtc together', async () => {
    // Act
    const hit = await list(
      `?$filter=machineId eq '${DEVICE.sql}' and type eq 'LiveResponse' and creationDateTimeUtc ge 2026-11-20T09:01:00Z`,
    );
    const miss = await list(`?$filter=machineId eq '${DEVICE.sql}' and creationDateTimeUtc gt 2026-11-20T09:01:00.0000000Z`);
    // Assess
    expect(hit.value.map((a) => a.id)).toEqual([ids[1]]);
    expect(miss.value).toEqual([]);
  });

  it('filters on status with ne, and pages with $top/$skip and $count', async () => {
    // Prepare: at 09:03 the two older actions (a 65 s script + a short GetFile) have finished
    // Act
    const open = await list("?$filter=status ne 'Succeeded'");
    const page = await list('?$top=1&$skip=1&$count=true');
    // Assess
    expect(open.value.map((a) => a.id)).toEqual([ids[2]]);
    expect(page.value.map((a) => a.id)).toEqual([ids[1]]);
    expect(page['@odata.count']).toBe(3);
  });

  it.each([
    ['?$filter=lastUpdateDateTimeUtc gt 2026-01-01Z', /lastUpdateDateTimeUtc/],
    ['?$top=10001', /10000/],
    ['?$orderby=creationDateTimeUtc desc', /\$orderby/],
    ["?$filter=status eq 'Pending", /Unterminated/],
  ])('answers 400 ODataError for %s', async (query, message) => {
    // Act
    const res = await t.call(`/api/machineactions${query}`);
    // Assess
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatchObject({ code: 'ODataError', message: expect.stringMatching(message) as unknown });
  });

  it('answers 400 BadRequest (Edm.Guid) for a non-GUID id and 404 for an unknown GUID', async () => {
    // Act
    const bad = await t.call('/api/machineactions/12345');
    const unknown = await t.call('/api/machineactions/00000000-0000-4000-8000-000000000000');
    // Assess
    expect(bad.status).toBe(400);
    expect(await errorOf(bad)).toMatchObject({ code: 'BadRequest', message: expect.stringMatching(/Edm\.Guid/) as unknown });
    expect(unknown.status).toBe(404);
  });

  it('hides a fresh action from GET by id during the eventual-consistency window when that fault is on', async () => {
    // Prepare
    t.sim.setFaults({ invisibleAfterCreateMs: 5_000 });
    const res = await t.runLiveResponse(DEVICE.finance, [getFile('C:\\x')]);
    const id = (await jsonOf<{ id: string }>(res)).id;
    // Act
    const hidden = await t.call(`/api/machineactions/${id}`);
    t.clock.advance(5_000);
    const visible = await t.call(`/api/machineactions/${id}`);
    // Assess
    expect([res.status, hidden.status, visible.status]).toEqual([201, 404, 200]);
  });
});
