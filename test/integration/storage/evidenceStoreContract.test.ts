/** The EvidenceStore suite against the Blob adapter on Azurite (the in-memory fake runs it in test/unit/contracts). */
import { BlobServiceClient } from '@azure/storage-blob';
import { afterAll, beforeAll } from 'vitest';
import { startAzurite, type RunningAzurite } from '../../../local/azurite.js';
import { BlobEvidenceStore } from '../../../shared/azure/blobEvidenceStore.js';
import { describeEvidenceStoreContract } from '../../contracts/evidenceStore.contract.js';

let azurite: RunningAzurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

describeEvidenceStoreContract('Blob Storage (Azurite)', async () => {
  const service = BlobServiceClient.fromConnectionString(azurite.connectionString);
  const container = service.getContainerClient(`evidence-${Math.random().toString(36).slice(2, 10)}`);
  const store = new BlobEvidenceStore(container, { blockSizeBytes: 1024 * 1024, maxConcurrency: 2 });
  await store.ensureContainer();
  return store;
});
