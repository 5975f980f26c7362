/** The owed notifications suite against the Table adapter on Azurite (the fake runs it in test/unit/contracts). */
import { TableClient } from '@azure/data-tables';
import { afterAll, beforeAll } from 'vitest';
import { startAzurite, type RunningAzurite } from '../../../local/azurite.js';
import { TableOwedNotificationStore } from '../../../shared/azure/tableOwedNotificationStore.js';
import { describeOwedNotificationStoreContract } from '../../contracts/owedNotificationStore.contract.js';

let azurite: RunningAzurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

describeOwedNotificationStoreContract('Table Storage (Azurite)', async () => {
  const name = `owed${Math.random().toString(36).slice(2, 10)}`;
  const store = new TableOwedNotificationStore(
    TableClient.fromConnectionString(azurite.connectionString, name, { allowInsecureConnection: true }),
  );
  await store.ensureTable();
  return store;
});
