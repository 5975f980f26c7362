import { BlobServiceClient, ContainerClient } from '@azure/storage-blob';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunked as chunkedBy, sha256Of } from '../../helpers/streams.js';
import { startAzurite, type RunningAzurite } from '../../../local/azurite.js';
import { BlobEvidenceStore, sanitizeTagValue } from '../../../shared/azure/blobEvidenceStore.js';
import { ConfigError, NotFoundError, PermanentError, TransientError } from '../../../shared/errors.js';

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

/** A body that records whether anything read from it. */
function untouchable(): { body: Readable; wasRead: () => boolean } {
  let read = false;
  const body = new Readable({
    read() {
      read = true;
      this.push(null);
    },
  });
  return { body, wasRead: () => read || body.readableFlowing !== null };
}

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

  it("answers 'exists' for a second write without reading the body", async () => {
    const { store, container } = await newStore();
    const first = Buffer.from('first version');
    expect(await store.writeNew('e/1', chunked(first), {})).toBe('created');
    const { body, wasRead } = untouchable();
    expect(await store.writeNew('e/1', body, {})).toBe('exists');
    expect(wasRead()).toBe(false);
    expect(body.destroyed).toBe(false);
    expect(await container.getBlockBlobClient('e/1').downloadToBuffer()).toEqual(first);
  });

  it('leaves no blob when the body fails halfway', async () => {
    const { store } = await newStore();
    const failure = new Error('connection reset while downloading');
    let sent = 0;
    const body = new Readable({
      read() {
        if (sent >= 2 * MiB + 5) return void this.destroy(failure);
        this.push(randomBytes(256 * 1024));
        sent += 256 * 1024;
      },
    });
    const attempt = store.writeNew('broken/1', body, { tags: { runId: 'r' } });
    await expect(attempt).rejects.toBeInstanceOf(TransientError);
    await expect(attempt).rejects.toMatchObject({ cause: failure });
    expect(await store.exists('broken/1')).toBe(false);
    // The name is still free: a retry succeeds.
    expect(await store.writeNew('broken/1', chunked(Buffer.from('retry')), {})).toBe('created');
  });

  it('commits nothing when the seal refuses the content, and the name stays free', async () => {
    const { store } = await newStore();
    const attempt = store.writeNew('sealed/1', chunked(randomBytes(2 * MiB + 1)), {
      seal: () => {
        throw new TransientError('ended after 2 of 3 MiB (truncated)');
      },
    });
    await expect(attempt).rejects.toThrow(/truncated/);
    expect(await store.exists('sealed/1')).toBe(false);
    expect(await store.writeNew('sealed/1', chunked(Buffer.from('retry')), {})).toBe('created');
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

  it('lets exactly one of two concurrent writers create the blob', async () => {
    const { store, container } = await newStore();
    const a = randomBytes(MiB + 3);
    const b = randomBytes(MiB + 5);
    const outcomes = await Promise.all([store.writeNew('race', chunked(a), {}), store.writeNew('race', chunked(b), {})]);
    expect([...outcomes].sort()).toEqual(['created', 'exists']);
    const stored = await container.getBlockBlobClient('race').downloadToBuffer();
    expect(sha256(stored)).toBe(outcomes[0] === 'created' ? sha256(a) : sha256(b));
  });

  it('sanitises metadata and tags, and refuses what cannot be sanitised', async () => {
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

    const eleven = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`t${i}`, 'v']));
    const { body, wasRead } = untouchable();
    await expect(store.writeNew('s/2', body, { tags: eleven })).rejects.toThrow(/at most 10 index tags/);
    await expect(store.writeNew('s/2', body, { metadata: { 'a-b': '1', a_b: '2' } })).rejects.toBeInstanceOf(PermanentError);
    await expect(store.writeNew('s/2', body, { metadata: { big: 'x'.repeat(9000) } })).rejects.toThrow(/metadata is/);
    await expect(store.writeNew('bad/', body, {})).rejects.toThrow(/must not end/);
    expect(wasRead()).toBe(false);
    expect(await store.exists('s/2')).toBe(false);
  });

  it('streams stored bytes back exactly, without decoding a Content-Encoding', async () => {
    const { store } = await newStore();
    const { gzipSync } = await import('node:zlib');
    const gz = gzipSync(randomBytes(2 * MiB));
    await store.writeNew('r/1.gz', chunked(gz), { contentType: 'application/octet-stream', contentEncoding: 'gzip' });
    const chunks: Buffer[] = [];
    for await (const chunk of await store.openRead('r/1.gz')) chunks.push(chunk as Buffer);
    expect(sha256(Buffer.concat(chunks))).toBe(sha256(gz));
    await expect(store.openRead('r/missing')).rejects.toBeInstanceOf(NotFoundError);
    const early = await store.openRead('r/1.gz');
    early.destroy();
    await new Promise((resolve) => early.once('close', resolve));
  });

  it('writes JSON documents, replacing them', async () => {
    const { store, container } = await newStore();
    await store.writeJson('run-1/manifest.json', { runId: 'run-1', items: [1, 2] });
    await store.writeJson('run-1/manifest.json', { runId: 'run-1', items: [1, 2, 3], note: 'é' });
    const blob = container.getBlockBlobClient('run-1/manifest.json');
    expect(JSON.parse((await blob.downloadToBuffer()).toString('utf8'))).toEqual({ runId: 'run-1', items: [1, 2, 3], note: 'é' });
    expect((await blob.getProperties()).contentType).toBe('application/json');
    await expect(store.writeJson('x.json', undefined)).rejects.toBeInstanceOf(PermanentError);
  });

  it('writes JSON only if absent, or only if unchanged since it was read', async () => {
    const { store } = await newStore();
    expect(await store.readJson('run-2/manifest.json')).toBeUndefined();
    expect(await store.writeJson('run-2/manifest.json', { v: 1 }, { ifNoneMatch: '*' })).toBe('written');
    expect(await store.writeJson('run-2/manifest.json', { v: 'other' }, { ifNoneMatch: '*' })).toBe('conflict');
    const read = await store.readJson('run-2/manifest.json');
    expect(read?.value).toEqual({ v: 1 });
    expect(await store.writeJson('run-2/manifest.json', { v: 2 }, { ifMatch: read?.etag ?? '' })).toBe('written');
    expect(await store.writeJson('run-2/manifest.json', { v: 'stale' }, { ifMatch: read?.etag ?? '' })).toBe('conflict');
    expect((await store.readJson('run-2/manifest.json'))?.value).toEqual({ v: 2 });
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
