/** The RunStore suite against the Table adapter on Azurite (the in-memory fake runs it in test/unit/contracts). */
import { TableClient } from '@azure/data-tables';
import { afterAll, beforeAll } from 'vitest';
import { startAzurite, type RunningAzurite } from '../../../local/azurite.js';
import { TableRunStore } from '../../../shared/azure/tableRunStore.js';
import { describeRunStoreContract } from '../../contracts/runStore.contract.js';

let azurite: RunningAzurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

describeRunStoreContract('Table Storage (Azurite)', () => {
  const name = `runs${Math.random().toString(36).slice(2, 10)}`;
  return TableRunStore.create(TableClient.fromConnectionString(azurite.connectionString, name, { allowInsecureConnection: true }));
});
