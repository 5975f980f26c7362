/** The compare-and-swap store suites (pacing, watermark, device directory, alert assembly) and the audit log's against the Table adapters on Azurite (the fakes run them in test/unit/contracts). */
import { TableClient } from '@azure/data-tables';
import { afterAll, beforeAll } from 'vitest';
import { startAzurite, type RunningAzurite } from '../../../local/azurite.js';
import { TablePacingStore } from '../../../shared/azure/tablePacingStore.js';
import { TableWatermarkStore } from '../../../shared/azure/tableWatermarkStore.js';
import { TableDeviceDirectoryStore } from '../../../shared/azure/tableDeviceDirectoryStore.js';
import { TableAuditLog } from '../../../shared/azure/tableAuditLog.js';
import { describeAuditLogContract } from '../../contracts/auditLog.contract.js';
import { describeDeviceDirectoryStoreContract } from '../../contracts/deviceDirectoryStore.contract.js';
import { describePacingStoreContract } from '../../contracts/pacingStore.contract.js';
import { describeWatermarkStoreContract } from '../../contracts/watermarkStore.contract.js';
import { describeAlertAssemblyStoreContract } from '../../contracts/assemblyStore.contract.js';
import { TableAlertAssemblyStore } from '../../../shared/azure/tableAlertAssemblyStore.js';

let azurite: RunningAzurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

function newTable(prefix: string): TableClient {
  const name = `${prefix}${Math.random().toString(36).slice(2, 10)}`;
  return TableClient.fromConnectionString(azurite.connectionString, name, { allowInsecureConnection: true });
}

describePacingStoreContract('Table Storage (Azurite)', async () => {
  const store = new TablePacingStore(newTable('pacing'));
  await store.ensureTable();
  return store;
});

describeWatermarkStoreContract('Table Storage (Azurite)', async () => {
  const store = new TableWatermarkStore(newTable('wm'));
  await store.ensureTable();
  return store;
});

describeDeviceDirectoryStoreContract('Table Storage (Azurite)', async () => {
  const store = new TableDeviceDirectoryStore(newTable('devices'));
  await store.ensureTable();
  return store;
});

describeAuditLogContract('Table Storage (Azurite)', async () => {
  const log = new TableAuditLog(newTable('audit'));
  await log.ensureTable();
  return log;
});

describeAlertAssemblyStoreContract('Table Storage (Azurite)', async () => {
  const store = new TableAlertAssemblyStore(newTable('assembly'));
  await store.ensureTable();
  return store;
});
