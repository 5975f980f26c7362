import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorOf, jsonOf, startTestSimulator, type TestSimulator } from '../../helpers/simulator.js';

type Listed = { value: { id: string; evidence: unknown[] }[] };
const FIXTURE = new URL('../../fixtures/alerts/defender-api-alert.json', import.meta.url);

describe('GET /api/alerts', () => {
  let t: TestSimulator;
  let alert: Record<string, unknown>;
  beforeEach(async () => {
    t = await startTestSimulator();
    alert = JSON.parse(await readFile(FIXTURE, 'utf8')) as Record<string, unknown>;
    t.sim.addAlert(alert);
    t.sim.addAlert({ ...alert, id: 'da638700000000000002_2', severity: 'Low', alertCreationTime: '2026-11-20T10:00:00.0000000Z' });
  });
  afterEach(async () => {
    await t.close();
  });

  const list = async (query: string): Promise<Listed> => jsonOf<Listed>(await t.call(`/api/alerts${query}`));

  it('returns evidence only with $expand=evidence', async () => {
    // Act
    const plain = await list('');
    const expanded = await list('?$expand=evidence');
    // Assess
    expect(plain.value.map((a) => a.evidence)).toEqual([[], []]);
    expect(expanded.value[0]?.evidence).toEqual(alert.evidence);
  });

  it('filters on alertCreationTime, severity and status', async () => {
    // Act
    const recent = await list('?$filter=alertCreationTime gt 2026-11-20T09:30:00Z');
    const high = await list("?$filter=severity eq 'High' and status eq 'New'");
    const top = await list('?$top=1');
    // Assess
    expect(recent.value.map((a) => a.id)).toEqual(['da638700000000000002_2']);
    expect(high.value.map((a) => a.id)).toEqual([alert.id]);
    expect(top.value).toHaveLength(1);
  });

  it('refuses to expand anything but evidence', async () => {
    // Act
    const res = await t.call('/api/alerts?$expand=comments');
    // Assess
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe('ODataError');
  });

  it('needs an alert role', async () => {
    // Prepare
    const token = await t.tokenWith({ roles: ['Machine.Read.All'] });
    // Act
    const res = await t.call('/api/alerts', { token });
    // Assess
    expect(res.status).toBe(403);
  });

  it('rejects an alert without an id', () => {
    // Act / Assess
    expect(() => t.sim.addAlert({ title: 'x' })).toThrow(/id/);
  });
});
