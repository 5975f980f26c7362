import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../shared/config.js';
import type { Run } from '../../../../shared/runs/model.js';
import { listRunSummaries, type RunList } from '../../../../shared/services/status/runList.js';
import { MemoryRunStore } from '../../../helpers/memoryRunStore.js';
import { CREATED_MS, hexId, makeAction, makeRun } from '../../../helpers/runRecords.js';

const config = (scanMax = 1000) =>
  loadConfig({ STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true', BUS_KIND: 'storage-queues', RUNS_LIST_SCAN_MAX: String(scanMax) });

/** Runs r0..r(n-1), r0 the oldest; every third a manual run of another playbook on device 2, the rest alerts on device 1. */
async function store(count: number, sameMs = false): Promise<MemoryRunStore> {
  const runs = new MemoryRunStore();
  for (let i = 0; i < count; i += 1) {
    const base = makeRun(`a-${String(i).padStart(4, '0')}`, [hexId(1)], `da-${i}`, sameMs ? CREATED_MS : CREATED_MS + i * 1000);
    const run: Run =
      i % 3 === 0
        ? {
            ...base,
            trigger: { kind: 'manual', requestedBy: 'ana', reason: 'INC-1' },
            playbook: { ...base.playbook, name: 'other' },
            deviceIds: [hexId(2)],
          }
        : base;
    await runs.createRun(
      run,
      run.deviceIds.map((d) => makeAction(run.runId, d)),
    );
  }
  return runs;
}

async function page(runs: MemoryRunStore, query: Record<string, string>, scanMax?: number): Promise<RunList> {
  const result = await listRunSummaries({ runs, config: config(scanMax) }, query);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.value;
}

async function everyPage(runs: MemoryRunStore, query: Record<string, string>, scanMax?: number): Promise<string[][]> {
  const pages: string[][] = [];
  let token: string | undefined;
  do {
    const next = await page(runs, { ...query, ...(token ? { continuationToken: token } : {}) }, scanMax);
    pages.push(next.runs.map((r) => r.runId));
    token = next.continuationToken;
  } while (token && pages.length < 50);
  return pages;
}

describe('GET /api/runs: the runs list', () => {
  it('lists small summaries newest first: the trigger with the alert title or the reason, the playbook with its hash', async () => {
    const runs = await store(3);
    expect((await page(runs, {})).runs).toEqual([
      {
        runId: 'a-0002',
        created: new Date(CREATED_MS + 2000).toISOString(),
        trigger: 'alert',
        triggeredBy: 'da-2',
        alertTitle: 'Suspicious PowerShell',
        playbook: { name: 'collect-triage', version: '3', contentSha256: 'ab'.repeat(32) },
        phase: 'queued',
        deviceCount: 1,
      },
      expect.objectContaining({ runId: 'a-0001' }),
      expect.objectContaining({ runId: 'a-0000', trigger: 'manual', triggeredBy: 'ana', reason: 'INC-1' }),
    ]);
  });

  it('pages through filtered runs without losing or repeating one, each page full but the last', async () => {
    const runs = await store(10);
    expect(await everyPage(runs, { trigger: 'alert', limit: '2' })).toEqual([
      ['a-0008', 'a-0007'],
      ['a-0005', 'a-0004'],
      ['a-0002', 'a-0001'],
    ]);
    expect(await everyPage(runs, { playbook: 'other', device: hexId(2), limit: '3' })).toEqual([
      ['a-0009', 'a-0006', 'a-0003'],
      ['a-0000'],
    ]);
  });

  it('pages runs created in the same millisecond one by one', async () => {
    const runs = await store(5, true);
    const pages = await everyPage(runs, { limit: '2' });
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(new Set(pages.flat()).size).toBe(5);
  });

  it('filters by phase and by creation time', async () => {
    const runs = await store(5);
    expect((await page(runs, { status: 'running' })).runs).toEqual([]);
    expect((await page(runs, { status: 'queued' })).runs).toHaveLength(5);
    const window = { createdFrom: new Date(CREATED_MS + 1000).toISOString(), createdBefore: new Date(CREATED_MS + 3000).toISOString() };
    expect((await page(runs, window)).runs.map((r) => r.runId)).toEqual(['a-0002', 'a-0001']);
  });

  it('stops at the scan bound with a token and says so, so a sparse filter never reads the whole table', async () => {
    const runs = await store(10);
    const first = await page(runs, { playbook: 'other', limit: '10' }, 4);
    expect(first.runs.map((r) => r.runId)).toEqual(['a-0009', 'a-0006']);
    expect(first.note).toContain('RUNS_LIST_SCAN_MAX');
    expect((await everyPage(runs, { playbook: 'other', limit: '10' }, 4)).flat()).toEqual(['a-0009', 'a-0006', 'a-0003', 'a-0000']);
  });

  it.each([
    [{ status: 'finished' }, 'status'],
    [{ limit: '0' }, 'limit'],
    [{ limit: '101' }, 'limit'],
    [{ device: 'WS-1' }, 'device'],
    [{ createdFrom: 'yesterday' }, 'createdFrom'],
    [{ continuationToken: 'not-ours' }, 'continuationToken'],
    [{ colour: 'blue' }, '(root)'],
  ])('refuses %j, naming %s', async (query, field) => {
    const result = await listRunSummaries({ runs: new MemoryRunStore(), config: config() }, query);
    expect(result).toMatchObject({ ok: false, errors: [{ path: field }] });
  });
});
