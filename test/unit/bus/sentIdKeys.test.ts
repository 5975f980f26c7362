import { describe, expect, it } from 'vitest';
import { keyOf } from '../../../shared/azure/tableSentIds.js';

describe('the keys of a sent message id (storage-queue duplicate detection)', () => {
  it('spreads one queue over 256 partitions named after it, so no partition holds every id sent', () => {
    const keys = Array.from({ length: 5_000 }, (_, i) => keyOf('actions', `run-${i}.device.submit.0.${i}`));
    const partitions = new Set(keys.map((k) => k.partitionKey));
    expect(partitions.size).toBe(256);
    for (const p of partitions) expect(p).toMatch(/^actions~[0-9a-f]{2}$/);
    const largest = Math.max(...[...partitions].map((p) => keys.filter((k) => k.partitionKey === p).length));
    expect(largest).toBeLessThan(60); // about 20 each: even, not one hot partition
  });

  it('gives one id the same key every time, and keys no character Table Storage refuses', () => {
    const id = 'run/1#x?\\y\u0001.submit.0.5';
    expect(keyOf('actions', id)).toEqual(keyOf('actions', id));
    expect(keyOf('actions', id).rowKey).toMatch(/^[0-9a-f]{64}$/);
    expect(keyOf('actions', id).partitionKey).toBe(`actions~${keyOf('actions', id).rowKey.slice(0, 2)}`);
    expect(keyOf('collect', id).partitionKey).not.toBe(keyOf('actions', id).partitionKey);
  });
});
