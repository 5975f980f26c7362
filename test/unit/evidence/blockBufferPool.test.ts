import { describe, expect, it } from 'vitest';
import { BlockBufferPool } from '../../../shared/evidence/blockBufferPool.js';

describe('the block buffer pool of one process', () => {
  it('allocates buffers of the block size on demand, never more than its cap, and reuses those given back', () => {
    const pool = new BlockBufferPool(1024, 2);
    const a = pool.tryTake();
    const b = pool.tryTake();
    expect([a?.length, b?.length]).toEqual([1024, 1024]);
    expect(pool.tryTake()).toBeUndefined();
    if (a) pool.give(a);
    expect(pool.tryTake()).toBe(a);
    expect(pool.allocatedBuffers).toBe(2);
  });

  it('serves waiting transfers in turn, and lets no newcomer take a buffer before them', async () => {
    const pool = new BlockBufferPool(16, 1);
    const only = await pool.take();
    const served: string[] = [];
    const first = pool.take().then((buffer) => (served.push('first'), buffer));
    const second = pool.take().then((buffer) => (served.push('second'), buffer));
    expect(pool.waiting).toBe(2);
    pool.give(only);
    expect(pool.tryTake()).toBeUndefined();
    pool.give(await first);
    await second;
    expect(served).toEqual(['first', 'second']);
    expect(pool.waiting).toBe(0);
  });

  it.each([
    [0, 1],
    [16, 0],
    [16, 1.5],
  ])('refuses a block size of %d or a cap of %d buffers', (blockSizeBytes, maxBuffers) => {
    expect(() => new BlockBufferPool(blockSizeBytes, maxBuffers)).toThrow(RangeError);
  });
});
