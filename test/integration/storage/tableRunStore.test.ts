import { odata, TableClient } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite, type RunningAzurite } from '../../../local/azurite.js';
import { PermanentError, ValidationError } from '../../../shared/errors.js';
import { encodeKeyPart, TableRunStore } from '../../../shared/azure/tableRunStore.js';
import { RUN_INDEX_PARTITION } from '../../../shared/azure/runIndex.js';
import { CREATED_MS, hexId, makeAction, makeEvidence, makeRun } from '../../helpers/runRecords.js';

let azurite: RunningAzurite;
let tableCount = 0;

beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

function client(): TableClient {
  tableCount += 1;
  const name = `runs${tableCount}x${Math.random().toString(36).slice(2, 10)}`;
  return TableClient.fromConnectionString(azurite.connectionString, name, { allowInsecureConnection: true });
}

async function newStore(): Promise<{ store: TableRunStore; table: TableClient }> {
  const table = client();
  return { store: await TableRunStore.create(table), table };
}

/** What only the Table adapter does; test/contracts/runStore.contract.ts (runStoreContract.test.ts) covers the port's behaviour. */
describe('TableRunStore', () => {
  it('lists a run whose index entry is missing (an interrupted create) once createRun is called for it again', async () => {
    const { store, table } = await newStore();
    const stored = makeRun('run-i', [hexId(1)], 'da-1', CREATED_MS + 5);
    await store.createRun(stored, [makeAction('run-i', hexId(1))]);
    const index = table.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${RUN_INDEX_PARTITION}` } });
    for await (const row of index) await table.deleteEntity(row.partitionKey ?? '', row.rowKey ?? '');
    expect(await store.listRuns({ limit: 10 })).toEqual({ runs: [] });
    expect(await store.getRun('run-i')).toBeDefined();

    // A redelivery creates the run again with a later createdMs: the stored run is the one indexed, once.
    const again = makeRun('run-i', [hexId(1)], 'da-1', CREATED_MS + 9);
    expect(await store.createRun(again, [makeAction('run-i', hexId(1))])).toBe('exists');
    expect(await store.createRun(again, [makeAction('run-i', hexId(1))])).toBe('exists');
    expect(await store.listRuns({ limit: 10 })).toEqual({ runs: [stored] });
  });

  it('encodes keys so that forbidden characters round-trip and never collide', async () => {
    expect(encodeKeyPart(hexId(255))).toBe(hexId(255));
    expect(encodeKeyPart('6b1d3c6e-8a7e-4d3f-9a55-0c1f6d2a9b10')).toBe('6b1d3c6e-8a7e-4d3f-9a55-0c1f6d2a9b10');
    const nasty = ['a/b', 'a\\b', 'a#b', 'a?b', 'a~b', "a'b", 'a%2Fb', 'a!002fb', 'tab\tnl\n', 'c1\u0085', 'é😀', ''];
    for (const id of nasty) expect(encodeKeyPart(id)).toMatch(/^[A-Za-z0-9._!-]*$/);
    expect(new Set(nasty.map(encodeKeyPart)).size).toBe(nasty.length);

    const { store } = await newStore();
    const runId = "run/with#odd?chars\\and'quotes";
    const devices = nasty.filter((d) => d !== '');
    await store.createRun(
      makeRun(runId, devices),
      devices.map((d) => makeAction(runId, d)),
    );
    const view = await store.getRun(runId);
    expect(view?.actions.map((a) => a.deviceId)).toEqual(devices);
    for (const d of devices) expect((await store.getAction(runId, d))?.value.deviceId).toBe(d);
    expect(await store.putEvidence(makeEvidence(runId, 'a/b', 'x#y?z', 0))).toBe('created');
    expect(await store.putEvidence(makeEvidence(runId, 'a/b', 'x#y?z', 0))).toBe('exists');
    expect((await store.listRuns({ limit: 10 })).runs.map((r) => r.runId)).toEqual([runId]);
  });

  it('creates a run of more than 99 devices, and completes it if interrupted', async () => {
    const { store, table } = await newStore();
    const devices = Array.from({ length: 250 }, (_, i) => hexId(1000 - i));
    const run = makeRun('run-big', devices);
    const actions = devices.map((d) => makeAction('run-big', d));
    expect(await store.createRun(run, actions)).toBe('created');
    expect((await store.getRun('run-big'))?.actions.map((a) => a.deviceId)).toEqual(devices);

    // Simulate a crash after the first transaction: remove some later action rows.
    const lost = devices.slice(120, 180);
    for (const d of lost) await table.deleteEntity('run-big', `action~${d}`);
    expect((await store.getRun('run-big'))?.actions).toHaveLength(devices.length - lost.length);
    expect(await store.createRun(run, actions)).toBe('exists');
    expect((await store.getRun('run-big'))?.actions).toEqual(actions);

    // A different run under the same id is not "completed".
    for (const d of lost) await table.deleteEntity('run-big', `action~${d}`);
    expect(await store.createRun({ ...run, createdMs: 1 }, actions)).toBe('exists');
    expect((await store.getRun('run-big'))?.actions).toHaveLength(devices.length - lost.length);
  });

  it('commits the first transaction all-or-nothing', async () => {
    const { store, table } = await newStore();
    // A stray action row (never written by the store) makes the create transaction fail on its second entity.
    const stray = makeAction('run-atomic', hexId(2));
    await table.createEntity({ partitionKey: 'run-atomic', rowKey: `action~${hexId(2)}`, recordParts: 1, record: JSON.stringify(stray) });
    const outcome = await store.createRun(makeRun('run-atomic', [hexId(1), hexId(2)]), [makeAction('run-atomic', hexId(1)), stray]);
    expect(outcome).toBe('exists');
    expect(await store.getRun('run-atomic')).toBeUndefined();
    expect(await store.getAction('run-atomic', hexId(1))).toBeUndefined();
  });

  it('stores an action larger than one 64 KiB property and refuses one beyond the entity limit', async () => {
    const { store } = await newStore();
    const big = makeAction('run-big-action', hexId(1), `C:\\${'é😀x'.repeat(40_000)}`);
    await store.createRun(makeRun('run-big-action', [hexId(1)]), [big]);
    expect((await store.getAction('run-big-action', hexId(1)))?.value).toEqual(big);
    const huge = makeAction('run-huge', hexId(1), 'y'.repeat(600_000));
    await expect(store.createRun(makeRun('run-huge', [hexId(1)]), [huge])).rejects.toThrow(/table entity holds at most/);
    await expect(store.createRun(makeRun('run-huge', [hexId(1)]), [huge])).rejects.toBeInstanceOf(PermanentError);
    expect(await store.getRun('run-huge')).toBeUndefined();
  });

  it('refuses rows whose record fails its schema or is incomplete', async () => {
    const { store, table } = await newStore();
    await store.createRun(makeRun('run-v', [hexId(1)]), [makeAction('run-v', hexId(1))]);
    await table.upsertEntity(
      { partitionKey: 'run-v', rowKey: `action~${hexId(1)}`, recordParts: 1, record: '{"runId":"run-v"}' },
      'Replace',
    );
    await expect(store.getAction('run-v', hexId(1))).rejects.toBeInstanceOf(ValidationError);
    await expect(store.getRun('run-v')).rejects.toBeInstanceOf(ValidationError);
    await table.upsertEntity({ partitionKey: 'run-v', rowKey: `action~${hexId(1)}`, record: 'not json' }, 'Replace');
    await expect(store.getAction('run-v', hexId(1))).rejects.toThrow(/no valid recordParts/);
  });
});
