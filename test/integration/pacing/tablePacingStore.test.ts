import { TableClient } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite, type RunningAzurite } from '../../../local/azurite.js';
import { TablePacingStore } from '../../../shared/azure/tablePacingStore.js';

let azurite: RunningAzurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

async function store(name: string): Promise<TablePacingStore> {
  const s = new TablePacingStore(TableClient.fromConnectionString(azurite.connectionString, name, { allowInsecureConnection: true }));
  await s.ensureTable();
  return s;
}

/** What only the Table adapter does; the PacingStore contract (storage/casStoreContracts.test.ts) covers the rest. */
describe('the pacing state in Table Storage', () => {
  it('keeps a state larger than one table property (300 reserved devices) intact', async () => {
    const s = await store('pacingbig');
    const { value, etag } = await s.load();
    const big = {
      ...value,
      holds: Object.fromEntries(
        Array.from({ length: 300 }, (_, i) => [
          `${i}`.padStart(40, 'b'),
          { kind: 'reserved' as const, runId: `m-${'x'.repeat(20)}`, slotMs: 1_795_000_000_000 + i, expiresMs: 1_795_000_600_000 + i },
        ]),
      ),
    };
    expect(JSON.stringify(big).length).toBeGreaterThan(30_000);
    expect(await s.save(big, etag)).toBe('ok');
    expect((await s.load()).value).toEqual(big);
  });
});
