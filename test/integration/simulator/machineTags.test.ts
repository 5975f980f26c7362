import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEVICE, deviceId, errorOf, jsonOf, manyDevicesFleet, startTestSimulator, type TestSimulator } from '../../helpers/simulator.js';

type Machine = { id: string; computerDnsName: string; machineTags: string[] };
type Listed = { '@odata.context': string; value: Machine[] };

const WRITE_ROLES = ['Machine.ReadWrite.All'];

describe('machine tags', () => {
  let t: TestSimulator;
  let writer: string;
  beforeEach(async () => {
    t = await startTestSimulator();
    writer = await t.tokenWith({ roles: WRITE_ROLES });
  });
  afterEach(async () => {
    await t.close();
  });

  const tag = (machineId: string, body: unknown, token = writer) => t.call(`/api/machines/${machineId}/tags`, { body, token });
  const tagMany = (body: unknown, token = writer) => t.call('/api/machines/AddOrRemoveTagForMultipleMachines', { body, token });
  const tagsOf = async (machineId: string): Promise<string[]> =>
    (await jsonOf<Machine>(await t.call(`/api/machines/${machineId}`))).machineTags;
  const findByTag = async (query: string): Promise<string[]> => {
    const res = await t.call(`/api/machines/findbytag?${query}`);
    expect(res.status).toBe(200);
    return (await jsonOf<Listed>(res)).value.map((m) => m.computerDnsName);
  };

  describe('POST /api/machines/{id}/tags', () => {
    it('adds a tag and answers the updated machine, then removes it', async () => {
      // Act
      const added = await tag(DEVICE.sql, { Value: 'Isolate-Candidate', Action: 'Add' });
      const addedBody = await jsonOf<Machine & { '@odata.context': string }>(added);
      const afterAdd = await tagsOf(DEVICE.sql);
      const removed = await tag(DEVICE.sql, { Value: 'Isolate-Candidate', Action: 'Remove' });
      // Assess
      expect(added.status).toBe(200);
      expect(addedBody['@odata.context']).toMatch(/#Machines\/\$entity$/);
      expect(addedBody.machineTags).toEqual(['Servers', 'Nightly-Collection', 'Isolate-Candidate']);
      expect(afterAdd).toEqual(['Servers', 'Nightly-Collection', 'Isolate-Candidate']);
      expect(removed.status).toBe(200);
      expect(await tagsOf(DEVICE.sql)).toEqual(['Servers', 'Nightly-Collection']);
    });

    it('compares tags case-insensitively: no duplicate on Add, any casing removes', async () => {
      // Act
      const again = await tag(DEVICE.finance, { Value: 'finance', Action: 'Add' });
      const removeAbsent = await tag(DEVICE.finance, { Value: 'Nope', Action: 'Remove' });
      const removed = await tag(DEVICE.finance, { Value: 'WORKSTATIONS', Action: 'Remove' });
      // Assess
      expect([again.status, removeAbsent.status, removed.status]).toEqual([200, 200, 200]);
      expect(await tagsOf(DEVICE.finance)).toEqual(['Finance']);
    });

    it.each([
      [{ Action: 'Add' }, 'MissingRequiredParameter', 'Value'],
      [{ Value: 'x' }, 'MissingRequiredParameter', 'Action'],
      [{ Value: 'x', Action: 'Delete' }, 'InvalidInput', 'Action'],
      [{ Value: 'x', Action: 'add' }, 'InvalidInput', 'Action'],
      [{ Value: '  ', Action: 'Add' }, 'InvalidInput', 'Value'],
      [{ Value: 3, Action: 'Add' }, 'InvalidRequestBody', 'Value'],
      [{ value: 'x', Action: 'Add' }, 'InvalidRequestBody', "'value' (property names are case-sensitive: use 'Value')"],
    ])('answers 400 for %j, naming the field', async (body, code, field) => {
      // Act
      const res = await tag(DEVICE.sql, body);
      // Assess
      expect(res.status).toBe(400);
      const error = await errorOf(res);
      expect(error.code).toBe(code);
      expect(error.message).toContain(field);
      expect(await tagsOf(DEVICE.sql)).toEqual(['Servers', 'Nightly-Collection']);
    });

    it('answers 404 for an unknown machine, and for a computer name (ids only)', async () => {
      // Act
      const unknown = await tag('f'.repeat(40), { Value: 'x', Action: 'Add' });
      const byName = await tag('srv-sql-01.contoso.local', { Value: 'x', Action: 'Add' });
      // Assess
      expect(unknown.status).toBe(404);
      expect((await errorOf(unknown)).code).toBe('ResourceNotFound');
      expect(byName.status).toBe(404);
    });

    it('needs Machine.ReadWrite.All', async () => {
      // Prepare: the default token holds Machine.Read.All but not ReadWrite
      const reader = await t.freshToken();
      // Act
      const res = await tag(DEVICE.sql, { Value: 'x', Action: 'Add' }, reader);
      // Assess
      expect(res.status).toBe(403);
      expect((await errorOf(res)).message).toContain('Machine.ReadWrite.All');
    });
  });

  describe('POST /api/machines/AddOrRemoveTagForMultipleMachines', () => {
    it('tags every listed machine and answers them in request order', async () => {
      // Act
      const res = await tagMany({ Value: 'Wave-1', Action: 'Add', MachineIds: [DEVICE.dev, DEVICE.sales, DEVICE.dev] });
      const body = await jsonOf<Listed>(res);
      // Assess
      expect(res.status).toBe(200);
      expect(body['@odata.context']).toMatch(/#Machines$/);
      expect(body.value.map((m) => m.id)).toEqual([DEVICE.dev, DEVICE.sales]);
      expect(body.value.every((m) => m.machineTags.includes('Wave-1'))).toBe(true);
      expect(await findByTag('tag=Wave-1')).toEqual(['lt-sales-12.contoso.local', 'ws-dev-03.contoso.local']);
    });

    it('answers 404 naming an unknown id and changes no machine', async () => {
      // Act
      const res = await tagMany({ Value: 'Wave-1', Action: 'Add', MachineIds: [DEVICE.dev, 'f'.repeat(40)] });
      // Assess
      expect(res.status).toBe(404);
      expect((await errorOf(res)).message).toContain('f'.repeat(40));
      expect(await tagsOf(DEVICE.dev)).toEqual(['Workstations']);
    });

    it.each([
      [{ Value: 'x', Action: 'Add' }, 'MissingRequiredParameter', 'MachineIds'],
      [{ Value: 'x', Action: 'Add', MachineIds: [] }, 'InvalidInput', 'MachineIds'],
      [{ Value: 'x', Action: 'Add', MachineIds: DEVICE.dev }, 'InvalidRequestBody', 'MachineIds'],
      [{ Value: 'x', Action: 'Flip', MachineIds: [DEVICE.dev] }, 'InvalidInput', 'Action'],
      [
        { Value: 'x', Action: 'Add', MachineIds: Array.from({ length: 501 }, (_, i) => deviceId(i)) },
        'MaximumBatchSizeExceeded',
        'MachineIds',
      ],
    ])('answers 400 naming the field (%#)', async (body, code, field) => {
      // Act
      const res = await tagMany(body);
      // Assess
      expect(res.status).toBe(400);
      const error = await errorOf(res);
      expect(error.code).toBe(code);
      expect(error.message).toContain(field);
    });

    it('accepts 500 machines in one call', async () => {
      // Prepare
      await t.close();
      const ids = Array.from({ length: 500 }, (_, i) => (i + 1).toString(16).padStart(40, '0'));
      t = await startTestSimulator({
        fleet: manyDevicesFleet(1, { devices: ids.map((id) => ({ id, computerDnsName: `${id}.contoso.local` })) }),
      });
      writer = await t.tokenWith({ roles: WRITE_ROLES });
      // Act
      const res = await tagMany({ Value: 'All', Action: 'Add', MachineIds: ids });
      // Assess
      expect(res.status).toBe(200);
      expect((await jsonOf<Listed>(res)).value).toHaveLength(500);
    });

    it('needs Machine.ReadWrite.All', async () => {
      // Act
      const res = await tagMany({ Value: 'x', Action: 'Add', MachineIds: [DEVICE.dev] }, await t.freshToken());
      // Assess
      expect(res.status).toBe(403);
    });
  });

  describe('GET /api/machines/findbytag', () => {
    it.each([
      ['tag=Finance', ['ws-finance-07.contoso.local']],
      ['tag=workstations', ['ws-finance-07.contoso.local', 'lt-sales-12.contoso.local', 'ws-dev-03.contoso.local']],
      ['tag=Night', []],
      ['tag=Night&useStartsWithFilter=true', ['srv-sql-01.contoso.local']],
      ['tag=Night&useStartsWithFilter=False', []],
      ['tag=NoSuchTag', []],
    ])('%s', async (query, expected) => {
      // Act
      const found = await findByTag(query);
      // Assess
      expect(found).toEqual(expected);
    });

    it.each([
      ['', 400, 'MissingRequiredParameter', "'tag'"],
      ['tag=', 400, 'MissingRequiredParameter', "'tag'"],
      ['tag=x&useStartsWithFilter=yes', 400, 'InvalidInput', 'useStartsWithFilter'],
      ['tag=x&$top=1', 400, 'ODataError', '$top'],
    ])('?%s → %i %s', async (query, status, code, field) => {
      // Act
      const res = await t.call(`/api/machines/findbytag?${query}`);
      // Assess
      expect(res.status).toBe(status);
      const error = await errorOf(res);
      expect(error.code).toBe(code);
      expect(error.message).toContain(field);
    });

    it('needs Machine.Read.All or Machine.ReadWrite.All', async () => {
      // Act
      const alertsOnly = await t.call('/api/machines/findbytag?tag=x', { token: await t.tokenWith({ roles: ['Alert.Read.All'] }) });
      const readWrite = await t.call('/api/machines/findbytag?tag=x', { token: writer });
      // Assess
      expect(alertsOnly.status).toBe(403);
      expect(readWrite.status).toBe(200);
    });
  });

  describe('rate limits: 100 calls a minute per endpoint', () => {
    it.each([
      ['tags', () => tag(DEVICE.sql, { Value: 'x', Action: 'Add' })],
      ['AddOrRemoveTagForMultipleMachines', () => tagMany({ Value: 'x', Action: 'Add', MachineIds: [DEVICE.sql] })],
      ['findbytag', () => t.call('/api/machines/findbytag?tag=x')],
    ])('%s', async (_name, request) => {
      // Prepare
      for (let i = 0; i < 100; i++) expect((await request()).status).toBe(200);
      // Act
      const throttled = await request();
      t.clock.advance(60_000);
      const admitted = await request();
      // Assess
      expect(throttled.status).toBe(429);
      expect(throttled.headers.get('retry-after')).toBe('60');
      expect(admitted.status).toBe(200);
    });
  });
});
