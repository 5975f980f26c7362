import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../shared/clock.js';
import { GroupCommitter, type CasStore } from '../../../shared/pacing/groupCommit.js';
import type { Versioned } from '../../../shared/runs/model.js';

/** A counter document; `interfere` lets a test play another instance writing in between. */
class CountingStore implements CasStore<{ n: number }> {
  value = { n: 0 };
  version = 0;
  loads = 0;
  saves = 0;
  interfere: (() => void) | undefined;
  load(): Promise<Versioned<{ n: number }>> {
    this.loads += 1;
    return Promise.resolve({ value: { ...this.value }, etag: String(this.version) });
  }
  save(state: { n: number }, etag: string): Promise<'ok' | 'conflict'> {
    this.interfere?.();
    this.interfere = undefined;
    if (etag !== String(this.version)) return Promise.resolve('conflict');
    this.saves += 1;
    this.value = { ...state };
    this.version += 1;
    return Promise.resolve('ok');
  }
}

const increment = (s: { n: number }): { next: { n: number }; result: number } => ({ next: { n: s.n + 1 }, result: s.n + 1 });

describe('group commit of pacing changes', () => {
  it('commits changes made at once in a shared write, each seeing the ones before it', async () => {
    const store = new CountingStore();
    const committer = new GroupCommitter(store, new ManualClock());
    const results = await Promise.all(Array.from({ length: 10 }, () => committer.apply(increment)));
    expect(results).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(store.value.n).toBe(10);
    // The first change goes alone; the nine that came while it was written share the next write.
    expect(store.saves).toBe(2);
  });

  it('decides the whole batch again when another instance wrote first', async () => {
    const store = new CountingStore();
    const committer = new GroupCommitter(store, new ManualClock());
    const first = committer.apply(increment);
    // The next two share the second write; another instance writes just before it.
    const batch = [committer.apply(increment), committer.apply(increment)];
    await first;
    store.interfere = () => {
      store.value = { n: 100 };
      store.version += 1;
    };
    expect(await Promise.all(batch)).toEqual([101, 102]);
    expect(store.value.n).toBe(102);
    expect(store.saves).toBe(2);
  });

  it('fails only the change that threw, and writes nothing when nothing changed', async () => {
    const store = new CountingStore();
    const committer = new GroupCommitter(store, new ManualClock());
    const failing = committer.apply(() => {
      throw new Error('bad change');
    });
    const reading = committer.apply((s) => ({ next: undefined, result: s.n }));
    await expect(failing).rejects.toThrow('bad change');
    expect(await reading).toBe(0);
    expect(store.saves).toBe(0);
  });

  it('gives up with a transient error after its attempts, failing every change of the batch', async () => {
    const store = new CountingStore();
    store.save = () => Promise.resolve('conflict');
    const committer = new GroupCommitter(store, new ManualClock(), 3);
    await expect(committer.apply(increment)).rejects.toThrow(/contended: 3 conflicting updates/);
    expect(store.loads).toBe(3);
  });
});
