import { BlobServiceClient, ContainerClient } from '@azure/storage-blob';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunked as chunkedBy, sha256Of } from '../../helpers/streams.js';
import { startAzurite, type RunningAzurite } from '../../../local/azurite.js';
import { BlobEvidenceStore, sanitizeTagValue } from '../../../shared/azure/blobEvidenceStore.js';
import { ConfigError } from '../../../shared/errors.js';

const MiB = 1024 * 1024;
let azurite: RunningAzurite;
let service: BlobServiceClient;
let containerCount = 0;

beforeAll(async () => {
  azurite = await startAzurite();
  service = BlobServiceClient.fromConnectionString(azurite.connectionString);
});
afterAll(async () => {
  await azurite?.stop();
});

async function newStore(blockSizeBytes = MiB): Promise<{ store: BlobEvidenceStore; container: ContainerClient }> {
  containerCount += 1;
  const container = service.getContainerClient(`evidence-${containerCount}-${Math.random().toString(36).slice(2, 10)}`);
  const store = new BlobEvidenceStore(container, { blockSizeBytes, maxConcurrency: 2 });
  await store.ensureContainer();
  await store.ensureContainer(); // idempotent
  return { store, container };
}

const sha256 = sha256Of;

const chunked = (data: Buffer, chunkBytes = 300_001): Readable => chunkedBy(data, chunkBytes);

/** What only the Blob adapter does; test/contracts/evidenceStore.contract.ts (evidenceStoreContract.test.ts) covers the port's behaviour. */
describe('BlobEvidenceStore', () => {
  it('streams a multi-block body byte-identical, with headers, metadata and index tags', async () => {
    const { store, container } = await newStore();
    const data = randomBytes(3 * MiB + 17);
    const name = 'run-1/dev-1/action-1/0.bin';
    const tags = { runId: 'run-1', deviceId: 'dev-1', sha256: sha256(data) };
    const outcome = await store.writeNew(name, chunked(data), {
      contentType: 'application/octet-stream',
      contentEncoding: 'gzip',
      metadata: { runId: 'run-1', source: 'C:\\Windows\\Temp\\é.log' },
      tags,
    });
    expect(outcome).toBe('created');
    expect(await store.exists(name)).toBe(true);

    const blob = container.getBlockBlobClient(name);
    const stored = await blob.downloadToBuffer();
    expect(stored.length).toBe(data.length);
    expect(sha256(stored)).toBe(sha256(data));
    const blocks = await blob.getBlockList('committed');
    expect(blocks.committedBlocks).toHaveLength(4);

    const props = await blob.getProperties();
    expect(props.contentType).toBe('application/octet-stream');
    expect(props.contentEncoding).toBe('gzip');
    expect(props.metadata?.['runid']).toBe('run-1');
    expect(decodeURIComponent(props.metadata?.['source'] ?? '')).toBe('C:\\Windows\\Temp\\é.log');
    expect((await blob.getTags()).tags).toEqual(tags);

    const found: string[] = [];
    for await (const item of container.findBlobsByTags(`sha256='${sha256(data)}' AND runId='run-1'`)) found.push(item.name);
    expect(found).toEqual([name]);
  });

  it('adds what the seal returns to the metadata and index tags in the same commit', async () => {
    const { store, container } = await newStore();
    const data = randomBytes(MiB + 9);
    let sealedAfterEnd = false;
    const body = chunked(data);
    await store.writeNew('sealed/2', body, {
      metadata: { runId: 'r-1' },
      tags: { runId: 'r-1', deviceId: 'd-1' },
      seal: () => {
        sealedAfterEnd = body.readableEnded;
        return { metadata: { sha256: sha256(data) }, tags: { sha256: sha256(data) } };
      },
    });
    expect(sealedAfterEnd).toBe(true);
    const blob = container.getBlockBlobClient('sealed/2');
    expect((await blob.getProperties()).metadata).toEqual({ runid: 'r-1', sha256: sha256(data) });
    const found: string[] = [];
    for await (const item of container.findBlobsByTags(`sha256='${sha256(data)}' AND deviceId='d-1'`)) found.push(item.name);
    expect(found).toEqual(['sealed/2']);
  });

  it('sanitises metadata and tags', async () => {
    const { store, container } = await newStore();
    const alert = "Mimikatz on host 'db01' (sev: high) — 100%";
    await store.writeNew('s/1', chunked(Buffer.from('x')), {
      metadata: { 'run-id': 'r1', '1st': ' padded ', note: 'tab\there 100%' },
      tags: { 'alert title': alert, 'odd|key.x': 'v', '1st': 'w' },
    });
    const blob = container.getBlockBlobClient('s/1');
    const meta = (await blob.getProperties()).metadata ?? {};
    expect(meta['run_id']).toBe('r1');
    expect(decodeURIComponent(meta['_1st'] ?? '')).toBe(' padded ');
    expect(decodeURIComponent(meta['note'] ?? '')).toBe('tab\there 100%');
    const tags = (await blob.getTags()).tags;
    expect(tags).toEqual({ alert_title: sanitizeTagValue(alert), odd_key_x: 'v', '1st': 'w' });
    const found: string[] = [];
    for await (const item of container.findBlobsByTags(`alert_title='${sanitizeTagValue(alert)}' AND odd_key_x='v'`)) found.push(item.name);
    expect(found).toEqual(['s/1']);
  });

  it('writes JSON documents as application/json, replacing them', async () => {
    const { store, container } = await newStore();
    await store.writeJson('run-1/manifest.json', { runId: 'run-1', items: [1, 2] });
    await store.writeJson('run-1/manifest.json', { runId: 'run-1', items: [1, 2, 3], note: 'é' });
    const blob = container.getBlockBlobClient('run-1/manifest.json');
    expect(JSON.parse((await blob.downloadToBuffer()).toString('utf8'))).toEqual({ runId: 'run-1', items: [1, 2, 3], note: 'é' });
    expect((await blob.getProperties()).contentType).toBe('application/json');
  });

  it('locates a blob by URL without any query string', async () => {
    const { store, container } = await newStore();
    expect(store.locate('run-1/a b.bin')).toBe(`${container.url}/run-1/a%20b.bin`);
    const withSas = new ContainerClient(`${azurite.blobEndpoint}/c1?sv=2024-01-01&sig=secret`);
    const located = new BlobEvidenceStore(withSas, { blockSizeBytes: MiB, maxConcurrency: 1 }).locate('r/x.bin');
    expect(located).toBe(`${azurite.blobEndpoint}/c1/r/x.bin`);
  });

  it('refuses invalid options', () => {
    const container = service.getContainerClient('unused');
    expect(() => new BlobEvidenceStore(container, { blockSizeBytes: 0, maxConcurrency: 1 })).toThrow(ConfigError);
    expect(() => new BlobEvidenceStore(container, { blockSizeBytes: MiB, maxConcurrency: 1.5 })).toThrow(ConfigError);
  });
});
