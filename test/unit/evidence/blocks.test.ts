import { randomBytes } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { chunked as chunkedBy, sha256Of } from '../../helpers/streams.js';
import { describe, expect, it } from 'vitest';
import { BlockBufferPool } from '../../../shared/evidence/blockBufferPool.js';
import { stageBlocks } from '../../../shared/evidence/blocks.js';
import { PermanentError } from '../../../shared/errors.js';

const sha = sha256Of;

const chunked = (data: Buffer, chunkBytes = 7_777): Readable => chunkedBy(data, chunkBytes);

/** A stage function that keeps copies and records concurrency and the distinct buffers it was handed. */
function recorder(delayMs = 1) {
  const blocks = new Map<string, Buffer>();
  const memories = new Set<ArrayBufferLike>();
  let active = 0;
  let maxActive = 0;
  const stage = async (id: string, data: Buffer): Promise<void> => {
    active += 1;
    maxActive = Math.max(maxActive, active);
    memories.add(data.buffer);
    const copy = Buffer.from(data);
    await new Promise((r) => setTimeout(r, delayMs));
    blocks.set(id, copy);
    active -= 1;
  };
  return { stage, blocks, memories, maxActive: () => maxActive };
}

describe('staging a body in blocks', () => {
  it('cuts the body into blocks of the set size that reassemble byte-identical', async () => {
    const data = randomBytes(5 * 64 * 1024 + 123);
    const r = recorder();
    const staged = await stageBlocks(chunked(data), { blockSizeBytes: 64 * 1024, concurrency: 3, stage: r.stage });
    expect(staged.sizeBytes).toBe(data.length);
    expect(staged.blockIds).toHaveLength(6);
    expect(new Set(staged.blockIds.map((id) => Buffer.from(id, 'base64').length)).size).toBe(1);
    const joined = Buffer.concat(staged.blockIds.map((id) => r.blocks.get(id) ?? Buffer.alloc(0)));
    expect(sha(joined)).toBe(sha(data));
    expect(r.blocks.get(staged.blockIds[5] ?? '')?.length).toBe(123);
  });

  it('stages at most `concurrency` blocks at once from `concurrency` + 1 buffers, whatever the size', async () => {
    const r = recorder(2);
    const staged = await stageBlocks(chunked(randomBytes(200 * 16 * 1024), 5_000), {
      blockSizeBytes: 16 * 1024,
      concurrency: 4,
      stage: r.stage,
    });
    expect(staged.blockIds).toHaveLength(200);
    expect(r.maxActive()).toBe(4);
    expect(r.memories.size).toBe(5);
  });

  it('fills the next block while `concurrency` blocks are staged, then stops reading the body until a stage ends', async () => {
    const body = new PassThrough();
    const pending: (() => void)[] = [];
    const staged: string[] = [];
    const stage = (_id: string, data: Buffer): Promise<void> => {
      staged.push(data.toString());
      return new Promise<void>((resolve) => pending.push(resolve));
    };
    const settle = async (): Promise<void> => {
      for (let i = 0; i < 5; i += 1) await new Promise(setImmediate);
    };
    const done = stageBlocks(body, { blockSizeBytes: 4, concurrency: 1, stage });

    body.write('aaaa');
    await settle();
    expect(staged).toEqual(['aaaa']);
    body.write('bbbb');
    await settle();
    expect(body.readableLength).toBe(0); // taken into the spare buffer while 'aaaa' is staged
    expect(staged).toEqual(['aaaa']); // but not staged: one slot
    body.write('cccc');
    await settle();
    expect(body.readableLength).toBe(4); // both buffers busy: back-pressure

    pending.shift()?.();
    await settle();
    expect(staged).toEqual(['aaaa', 'bbbb']);
    expect(body.readableLength).toBe(0);
    body.end();
    pending.shift()?.();
    await settle();
    pending.shift()?.();
    expect((await done).sizeBytes).toBe(12);
    expect(staged).toEqual(['aaaa', 'bbbb', 'cccc']);
  });

  it('gives two writers of one blob different block ids', async () => {
    const data = randomBytes(100);
    const a = await stageBlocks(chunked(data), { blockSizeBytes: 64, concurrency: 1, stage: recorder().stage });
    const b = await stageBlocks(chunked(data), { blockSizeBytes: 64, concurrency: 1, stage: recorder().stage });
    expect(a.blockIds.filter((id) => b.blockIds.includes(id))).toEqual([]);
  });

  it('stages one block at a time with a concurrency of 1', async () => {
    const r = recorder();
    const staged = await stageBlocks(chunked(randomBytes(10 * 1000)), { blockSizeBytes: 1000, concurrency: 1, stage: r.stage });
    expect(staged.blockIds).toHaveLength(10);
    expect(r.maxActive()).toBe(1);
    expect(r.memories.size).toBe(2);
  });

  it('stages nothing for an empty body', async () => {
    const r = recorder();
    expect(await stageBlocks(Readable.from([]), { blockSizeBytes: 64, concurrency: 2, stage: r.stage })).toEqual({
      blockIds: [],
      sizeBytes: 0,
    });
  });

  it('fails with the body error and stops reading when the body breaks', async () => {
    const failure = new Error('connection reset');
    let pushed = 0;
    const body = new Readable({
      read() {
        if (pushed >= 3) return void this.destroy(failure);
        pushed += 1;
        this.push(randomBytes(1000));
      },
    });
    await expect(stageBlocks(body, { blockSizeBytes: 512, concurrency: 2, stage: recorder().stage })).rejects.toBe(failure);
    expect(body.destroyed).toBe(true);
  });

  it('fails with the first staging error, destroys the body and waits for the blocks in flight', async () => {
    const failure = new Error('500 from storage');
    let settled = 0;
    const body = chunked(randomBytes(64 * 1024), 1024);
    const attempt = stageBlocks(body, {
      blockSizeBytes: 1024,
      concurrency: 3,
      stage: async (id) => {
        await new Promise((r) => setTimeout(r, 1));
        settled += 1;
        if (settled === 5) throw failure;
        void id;
      },
    });
    await expect(attempt).rejects.toBe(failure);
    expect(body.destroyed).toBe(true);
    const settledAtFailure = settled;
    await new Promise((r) => setTimeout(r, 20));
    expect(settled).toBe(settledAtFailure);
  });

  it('refuses a body longer than the most blocks a blob can hold', async () => {
    const attempt = stageBlocks(chunked(randomBytes(10 * 100 + 1)), {
      blockSizeBytes: 100,
      concurrency: 2,
      maxBlocks: 10,
      stage: recorder().stage,
    });
    await expect(attempt).rejects.toBeInstanceOf(PermanentError);
    await expect(attempt).rejects.toThrow(/exceeds 10 blocks of 100 bytes/);
  });

  it('holds no more buffers than a shared pool has, however many transfers run at once, and each reassembles byte-identical', async () => {
    const pool = new BlockBufferPool(1024, 4);
    const r = recorder(2);
    const bodies = Array.from({ length: 8 }, () => randomBytes(20 * 1024 + 17));
    const staged = await Promise.all(
      bodies.map((data) => stageBlocks(chunked(data, 700), { blockSizeBytes: 1024, concurrency: 2, pool, stage: r.stage })),
    );
    expect(r.memories.size).toBeLessThanOrEqual(4);
    expect(r.maxActive()).toBeLessThanOrEqual(4);
    expect(pool.allocatedBuffers).toBe(4);
    staged.forEach((s, i) => {
      const joined = Buffer.concat(s.blockIds.map((id) => r.blocks.get(id) ?? Buffer.alloc(0)));
      expect(sha(joined)).toBe(sha(bodies[i] ?? Buffer.alloc(0)));
    });
    expect([pool.tryTake(), pool.tryTake(), pool.tryTake(), pool.tryTake()].every(Boolean)).toBe(true);
  });

  it('hands a buffer back to the shared pool for a waiting transfer while it still runs, keeping one of its own', async () => {
    const pool = new BlockBufferPool(4, 3);
    const log: string[] = [];
    const slowStage = (who: string) => async (_id: string, data: Buffer) => {
      log.push(`${who}:${data.toString()}`);
      await new Promise((resolve) => setTimeout(resolve, 2));
    };
    const long = new PassThrough();
    const first = stageBlocks(long, { blockSizeBytes: 4, concurrency: 2, pool, stage: slowStage('long') });
    long.write('aaaabbbbcccc');
    await new Promise((resolve) => setTimeout(resolve, 1));
    expect(pool.tryTake()).toBeUndefined(); // the long transfer holds all three
    const second = stageBlocks(Readable.from([Buffer.from('zzzz')]), {
      blockSizeBytes: 4,
      concurrency: 2,
      pool,
      stage: slowStage('short'),
    });
    expect(await second).toMatchObject({ sizeBytes: 4 }); // finished while the long transfer is still open
    long.end('dddd');
    expect((await first).sizeBytes).toBe(16);
    expect(log).toContain('short:zzzz');
  });

  it('gives every buffer back to the shared pool when a transfer fails', async () => {
    const pool = new BlockBufferPool(512, 3);
    const failure = new Error('500 from storage');
    const attempt = stageBlocks(chunked(randomBytes(8 * 512)), {
      blockSizeBytes: 512,
      concurrency: 2,
      pool,
      stage: async () => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        throw failure;
      },
    });
    await expect(attempt).rejects.toBe(failure);
    expect([pool.tryTake(), pool.tryTake(), pool.tryTake()].every(Boolean)).toBe(true);
  });
});
