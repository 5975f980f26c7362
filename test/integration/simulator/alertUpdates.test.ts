import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorOf, jsonOf, startTestSimulator, type TestSimulator } from '../../helpers/simulator.js';

type Comment = { comment: string; createdBy: string; createdTime: string };
type AlertJson = {
  id: string;
  status: string;
  assignedTo: string | null;
  classification: string | null;
  determination: string | null;
  lastUpdateTime: string;
  resolvedTime: string | null;
  comments: Comment[];
  evidence: unknown[];
};

const APP = '0f0f0f0f-1111-2222-3333-444444444444';
const FIRST = 'da638700000000000001_1';
const SECOND = 'da638700000000000002_2';

const anAlert = (id: string) => ({
  id,
  status: 'New',
  assignedTo: null,
  classification: null,
  determination: null,
  lastUpdateTime: '2026-11-20T08:00:00.0000000Z',
  resolvedTime: null,
  comments: [{ comment: 'seen by the portal', createdBy: 'analyst@contoso.local', createdTime: '2026-11-20T08:30:00.0000000Z' }],
  evidence: [{ entityType: 'File', fileName: 'x.exe' }],
});

describe('alert updates', () => {
  let t: TestSimulator;
  let writer: string;
  beforeEach(async () => {
    t = await startTestSimulator();
    t.sim.addAlert(anAlert(FIRST));
    t.sim.addAlert(anAlert(SECOND));
    writer = await t.tokenWith({ roles: ['Alert.ReadWrite.All'], appId: APP });
  });
  afterEach(async () => {
    await t.close();
  });

  const patch = (id: string, body: unknown, token = writer) => t.call(`/api/alerts/${id}`, { method: 'PATCH', body, token });
  const batch = (body: unknown, token = writer) => t.call('/api/alerts/batchUpdate', { body, token });
  const listed = async (): Promise<AlertJson[]> => (await jsonOf<{ value: AlertJson[] }>(await t.call('/api/alerts'))).value;
  const nowIso = (): string => `${new Date(t.clock.nowMs()).toISOString().slice(0, 23)}0000Z`;

  describe('PATCH /api/alerts/{id}', () => {
    it('updates the properties, appends the comment with the caller and the time, and answers the alert', async () => {
      // Prepare
      t.clock.advance(90_000);
      // Act
      const res = await patch(FIRST, {
        status: 'Resolved',
        assignedTo: 'secop2@contoso.com',
        classification: 'FalsePositive',
        determination: 'Malware',
        comment: 'Resolve my alert and assign to secop2',
      });
      const body = await jsonOf<AlertJson & { '@odata.context': string }>(res);
      // Assess
      expect(res.status).toBe(200);
      expect(body['@odata.context']).toMatch(/#Alerts\/\$entity$/);
      expect(body).toMatchObject({
        id: FIRST,
        status: 'Resolved',
        assignedTo: 'secop2@contoso.com',
        classification: 'FalsePositive',
        determination: 'Malware',
        lastUpdateTime: nowIso(),
        resolvedTime: nowIso(),
        evidence: [],
      });
      expect(body.comments).toEqual([
        anAlert(FIRST).comments[0],
        { comment: 'Resolve my alert and assign to secop2', createdBy: APP, createdTime: nowIso() },
      ]);
      expect((await listed())[0]).toMatchObject({ status: 'Resolved', comments: body.comments });
      expect((await listed())[1]).toMatchObject({ status: 'New', lastUpdateTime: '2026-11-20T08:00:00.0000000Z' });
    });

    it('takes a comment alone, keeping every other property', async () => {
      // Act
      const first = await patch(FIRST, { comment: 'one' });
      t.clock.advance(5_000);
      const second = await jsonOf<AlertJson>(await patch(FIRST, { comment: 'two' }));
      // Assess
      expect(first.status).toBe(200);
      expect(second.status).toBe('New');
      expect(second.resolvedTime).toBeNull();
      expect(second.comments.map((c) => [c.comment, c.createdTime])).toEqual([
        ['seen by the portal', '2026-11-20T08:30:00.0000000Z'],
        ['one', '2026-11-20T09:00:00.0000000Z'],
        ['two', '2026-11-20T09:00:05.0000000Z'],
      ]);
    });

    it('clears resolvedTime when a resolved alert is reopened', async () => {
      // Prepare
      await patch(FIRST, { status: 'Resolved' });
      // Act
      const reopened = await jsonOf<AlertJson>(await patch(FIRST, { status: 'InProgress' }));
      // Assess
      expect(reopened).toMatchObject({ status: 'InProgress', resolvedTime: null });
    });

    it.each([
      [{ status: 'Closed' }, 'InvalidInput', "'status'"],
      [{ classification: 'Informational, expected activity' }, 'InvalidInput', "'classification'"],
      [{ determination: 'Apt' }, 'InvalidInput', "'determination'"],
      [{ assignedTo: 5 }, 'InvalidRequestBody', "'assignedTo'"],
      [{ comment: ['x'] }, 'InvalidRequestBody', "'comment'"],
      [{ Status: 'Resolved' }, 'InvalidRequestBody', "'Status' (property names are case-sensitive: use 'status')"],
      [{ alertIds: [FIRST], status: 'Resolved' }, 'InvalidRequestBody', "'alertIds'"],
      [{}, 'MissingRequiredParameter', 'status, assignedTo, classification, determination, comment'],
    ])('answers 400 for %j, naming the field, and changes nothing', async (body, code, field) => {
      // Act
      const res = await patch(FIRST, body);
      // Assess
      expect(res.status).toBe(400);
      const error = await errorOf(res);
      expect(error.code).toBe(code);
      expect(error.message).toContain(field);
      expect((await listed())[0]).toEqual({ ...anAlert(FIRST), evidence: [] });
    });

    it('answers 400 InvalidRequestBody without Content-Type: application/json', async () => {
      // Act
      const plain = await t.call(`/api/alerts/${FIRST}`, {
        method: 'PATCH',
        body: '{"comment":"x"}',
        headers: { 'Content-Type': 'text/plain' },
        token: writer,
      });
      // Assess
      expect(plain.status).toBe(400);
      expect((await errorOf(plain)).code).toBe('InvalidRequestBody');
    });

    it('answers 404 for an unknown alert', async () => {
      // Act
      const res = await patch('da000_0', { comment: 'x' });
      // Assess
      expect(res.status).toBe(404);
      expect((await errorOf(res)).code).toBe('ResourceNotFound');
    });

    it('needs Alert.ReadWrite.All', async () => {
      // Prepare: the default token has Alert.Read.All only
      const reader = await t.freshToken();
      const misspelt = await t.tokenWith({ roles: ['Alerts.ReadWrite.All'] });
      // Act
      const res = await patch(FIRST, { comment: 'x' }, reader);
      const misspeltRes = await patch(FIRST, { comment: 'x' }, misspelt);
      // Assess
      expect(res.status).toBe(403);
      expect((await errorOf(res)).message).toContain('Alert.ReadWrite.All');
      expect(misspeltRes.status).toBe(403);
    });

    it('is limited to 100 calls a minute', async () => {
      // Prepare
      for (let i = 0; i < 100; i++) expect((await patch(FIRST, { comment: `c${i}` })).status).toBe(200);
      // Act
      const throttled = await patch(FIRST, { comment: 'late' });
      t.clock.advance(60_000);
      const admitted = await patch(FIRST, { comment: 'later' });
      // Assess
      expect(throttled.status).toBe(429);
      expect(throttled.headers.get('retry-after')).toBe('60');
      expect(admitted.status).toBe(200);
    });
  });

  describe('POST /api/alerts/batchUpdate', () => {
    it('updates every listed alert, comment included, and answers 200 with an empty body', async () => {
      // Prepare
      t.clock.advance(30_000);
      // Act
      const res = await batch({ alertIds: [FIRST, SECOND, FIRST], status: 'InProgress', assignedTo: 'soc@contoso.com', comment: 'triage' });
      // Assess
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('');
      const alerts = await listed();
      for (const alert of alerts) {
        expect(alert).toMatchObject({ status: 'InProgress', assignedTo: 'soc@contoso.com', lastUpdateTime: nowIso() });
        expect(alert.comments.slice(1)).toEqual([{ comment: 'triage', createdBy: APP, createdTime: nowIso() }]);
      }
    });

    it('answers 404 naming an unknown id, and changes no alert', async () => {
      // Act
      const res = await batch({ alertIds: [FIRST, 'da000_0'], status: 'Resolved' });
      // Assess
      expect(res.status).toBe(404);
      expect((await errorOf(res)).message).toContain('da000_0');
      expect((await listed()).map((a) => a.status)).toEqual(['New', 'New']);
    });

    it.each([
      [{ status: 'Resolved' }, 'MissingRequiredParameter', "'alertIds'"],
      [{ alertIds: [], status: 'Resolved' }, 'InvalidInput', "'alertIds'"],
      [{ alertIds: FIRST, status: 'Resolved' }, 'InvalidRequestBody', "'alertIds'"],
      [{ alertIds: [FIRST] }, 'MissingRequiredParameter', 'status, assignedTo'],
      [{ alertIds: [FIRST], classification: 'Benign' }, 'InvalidInput', "'classification'"],
      [{ AlertIds: [FIRST], status: 'Resolved' }, 'InvalidRequestBody', "use 'alertIds'"],
    ])('answers 400 for %j, naming the field', async (body, code, field) => {
      // Act
      const res = await batch(body);
      // Assess
      expect(res.status).toBe(400);
      const error = await errorOf(res);
      expect(error.code).toBe(code);
      expect(error.message).toContain(field);
    });

    it('needs Alert.ReadWrite.All', async () => {
      // Act
      const res = await batch({ alertIds: [FIRST], comment: 'x' }, await t.freshToken());
      // Assess
      expect(res.status).toBe(403);
    });

    it('is limited to 10 calls a minute', async () => {
      // Prepare
      for (let i = 0; i < 10; i++) expect((await batch({ alertIds: [FIRST], comment: `c${i}` })).status).toBe(200);
      // Act
      const throttled = await batch({ alertIds: [FIRST], comment: 'late' });
      const single = await patch(FIRST, { comment: 'single is on its own budget' });
      t.clock.advance(60_000);
      const admitted = await batch({ alertIds: [FIRST], comment: 'later' });
      // Assess
      expect(throttled.status).toBe(429);
      expect((await errorOf(throttled)).code).toBe('TooManyRequests');
      expect(throttled.headers.get('retry-after')).toBe('60');
      expect(single.status).toBe(200);
      expect(admitted.status).toBe(200);
    });

    it('is limited to 500 calls an hour', async () => {
      // Prepare: 10 calls in each of 50 minutes
      for (let minute = 0; minute < 50; minute++) {
        const calls = await Promise.all(Array.from({ length: 10 }, () => batch({ alertIds: [SECOND], assignedTo: 'x@contoso.com' })));
        expect(calls.every((r) => r.status === 200)).toBe(true);
        t.clock.advance(60_000);
      }
      // Act
      const res = await batch({ alertIds: [SECOND], assignedTo: 'x@contoso.com' });
      // Assess
      expect(res.status).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBe(3_600 - 50 * 60);
    });
  });
});
