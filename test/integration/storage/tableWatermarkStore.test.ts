import { TableClient } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite, type RunningAzurite } from '../../../local/azurite.js';
import { TableWatermarkStore } from '../../../shared/azure/tableWatermarkStore.js';

let azurite: RunningAzurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

async function store(): Promise<TableWatermarkStore> {
  const name = `wm${Math.random().toString(36).slice(2, 10)}`;
  const s = new TableWatermarkStore(TableClient.fromConnectionString(azurite.connectionString, name, { allowInsecureConnection: true }));
  await s.ensureTable();
  return s;
}

describe('the Table Storage watermark store', () => {
  it('has nothing until the first save, then reads back what was saved', async () => {
    const s = await store();
    expect(await s.load('defender-alerts')).toBeUndefined();
    expect(await s.save('defender-alerts', { watermarkMs: 5, recent: { 'a|5': 5 } }, undefined)).toBe('ok');
    expect((await s.load('defender-alerts'))?.value).toEqual({ watermarkMs: 5, recent: { 'a|5': 5 } });
  });

  it('refuses a save based on a stale read, and a second first save', async () => {
    const s = await store();
    await s.save('w', { watermarkMs: 1, recent: {} }, undefined);
    const read = await s.load('w');
    expect(await s.save('w', { watermarkMs: 2, recent: {} }, read?.etag)).toBe('ok');
    expect(await s.save('w', { watermarkMs: 3, recent: {} }, read?.etag)).toBe('conflict');
    expect(await s.save('w', { watermarkMs: 4, recent: {} }, undefined)).toBe('conflict');
    expect((await s.load('w'))?.value.watermarkMs).toBe(2);
  });
});
