/**
 * The EvidenceStore conformance suite, run against the Blob adapter on
 * Azurite and the in-memory fake: commit only after a clean end and an
 * accepted seal, never overwrite, refuse what cannot be stored before
 * reading anything, conditional JSON writes.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { NotFoundError, PermanentError, TransientError } from '../../shared/errors.js';
import type { EvidenceStore } from '../../shared/evidence/store.js';
import { chunked as chunkedBy, readAll, sha256Of, untouchable } from '../helpers/streams.js';

const MiB = 1024 * 1024;
const chunked = (data: Buffer): Readable => chunkedBy(data, 300_001);

/** `makeStore` gives a fresh, empty store (blocks of 1 MiB where the adapter stages blocks). */
export function describeEvidenceStoreContract(adapter: string, makeStore: () => Promise<EvidenceStore>): void {
  describe(`EvidenceStore contract: ${adapter}`, () => {
    it('stores a multi-chunk body byte-identical and streams it back exactly, without decoding a Content-Encoding', async () => {
      const store = await makeStore();
      const gz = gzipSync(randomBytes(2 * MiB));
      expect(await store.exists('r/1.gz')).toBe(false);
      expect(await store.writeNew('r/1.gz', chunked(gz), { contentType: 'application/octet-stream', contentEncoding: 'gzip' })).toBe(
        'created',
      );
      expect(await store.exists('r/1.gz')).toBe(true);
      expect(sha256Of(await readAll(await store.openRead('r/1.gz')))).toBe(sha256Of(gz));
      await expect(store.openRead('r/missing')).rejects.toBeInstanceOf(NotFoundError);
      const early = await store.openRead('r/1.gz');
      early.destroy();
      await new Promise((resolve) => early.once('close', resolve));
    });

    it("answers 'exists' for a second write without reading the body", async () => {
      const store = await makeStore();
      const first = Buffer.from('first version');
      expect(await store.writeNew('e/1', chunked(first), {})).toBe('created');
      const { body, wasRead } = untouchable();
      expect(await store.writeNew('e/1', body, {})).toBe('exists');
      expect(wasRead()).toBe(false);
      expect(body.destroyed).toBe(false);
      expect(await readAll(await store.openRead('e/1'))).toEqual(first);
    });

    it('leaves no blob when the body fails halfway', async () => {
      const store = await makeStore();
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
      const store = await makeStore();
      const attempt = store.writeNew('sealed/1', chunked(randomBytes(2 * MiB + 1)), {
        seal: () => {
          throw new TransientError('ended after 2 of 3 MiB (truncated)');
        },
      });
      await expect(attempt).rejects.toThrow(/truncated/);
      expect(await store.exists('sealed/1')).toBe(false);
      expect(await store.writeNew('sealed/1', chunked(Buffer.from('retry')), {})).toBe('created');
    });

    it('calls the seal once, after the body ended', async () => {
      const store = await makeStore();
      const body = chunked(randomBytes(MiB + 9));
      const ended: boolean[] = [];
      await store.writeNew('sealed/2', body, { seal: () => (ended.push(body.readableEnded), { tags: { sha256: 'x' } }) });
      expect(ended).toEqual([true]);
    });

    it('lets exactly one of two concurrent writers create the blob', async () => {
      const store = await makeStore();
      const a = randomBytes(MiB + 3);
      const b = randomBytes(MiB + 5);
      const outcomes = await Promise.all([store.writeNew('race', chunked(a), {}), store.writeNew('race', chunked(b), {})]);
      expect([...outcomes].sort()).toEqual(['created', 'exists']);
      const stored = await readAll(await store.openRead('race'));
      expect(sha256Of(stored)).toBe(outcomes[0] === 'created' ? sha256Of(a) : sha256Of(b));
    });

    it('refuses a name, metadata or tags it cannot store, before reading the body, storing nothing', async () => {
      const store = await makeStore();
      const eleven = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`t${i}`, 'v']));
      const { body, wasRead } = untouchable();
      await expect(store.writeNew('s/2', body, { tags: eleven })).rejects.toThrow(/at most 10 index tags/);
      await expect(store.writeNew('s/2', body, { metadata: { 'a-b': '1', a_b: '2' } })).rejects.toBeInstanceOf(PermanentError);
      await expect(store.writeNew('s/2', body, { metadata: { big: 'x'.repeat(9000) } })).rejects.toThrow(/metadata is/);
      await expect(store.writeNew('bad/', body, {})).rejects.toThrow(/must not end/);
      expect(wasRead()).toBe(false);
      expect(await store.exists('s/2')).toBe(false);
    });

    it('writes JSON documents, replacing them, and refuses a value JSON cannot hold', async () => {
      const store = await makeStore();
      await store.writeJson('run-1/manifest.json', { runId: 'run-1', items: [1, 2] });
      await store.writeJson('run-1/manifest.json', { runId: 'run-1', items: [1, 2, 3], note: 'é' });
      expect((await store.readJson('run-1/manifest.json'))?.value).toEqual({ runId: 'run-1', items: [1, 2, 3], note: 'é' });
      await expect(store.writeJson('x.json', undefined)).rejects.toBeInstanceOf(PermanentError);
      expect(await store.exists('x.json')).toBe(false);
    });

    it('writes JSON only if absent, or only if unchanged since it was read', async () => {
      const store = await makeStore();
      expect(await store.readJson('run-2/manifest.json')).toBeUndefined();
      expect(await store.writeJson('run-2/manifest.json', { v: 'ghost' }, { ifMatch: '"0x1"' })).toBe('conflict');
      expect(await store.writeJson('run-2/manifest.json', { v: 1 }, { ifNoneMatch: '*' })).toBe('written');
      expect(await store.writeJson('run-2/manifest.json', { v: 'other' }, { ifNoneMatch: '*' })).toBe('conflict');
      const read = await store.readJson('run-2/manifest.json');
      expect(read?.value).toEqual({ v: 1 });
      expect(await store.writeJson('run-2/manifest.json', { v: 2 }, { ifMatch: read?.etag ?? '' })).toBe('written');
      expect(await store.writeJson('run-2/manifest.json', { v: 'stale' }, { ifMatch: read?.etag ?? '' })).toBe('conflict');
      expect((await store.readJson('run-2/manifest.json'))?.value).toEqual({ v: 2 });
    });

    it('refuses to read as JSON a blob that is not JSON', async () => {
      const store = await makeStore();
      await store.writeNew('r/bytes.bin', chunked(Buffer.from([0xff, 0x00, 0x7b])), {});
      await expect(store.readJson('r/bytes.bin')).rejects.toBeInstanceOf(PermanentError);
    });
  });
}
