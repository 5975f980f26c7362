import { describe, expect, it } from 'vitest';
import { retryableOnce } from '../../../shared/concurrency/retryableOnce.js';

describe('a value built once, retried after a failed build', () => {
  it('builds once for every caller, concurrent ones included', async () => {
    let builds = 0;
    const get = retryableOnce(() => Promise.resolve(++builds));
    expect(await Promise.all([get(), get(), get()])).toEqual([1, 1, 1]);
    expect(await get()).toBe(1);
    expect(builds).toBe(1);
  });

  it('gives a failed build to its callers and builds again on the next call', async () => {
    const failures: unknown[] = [];
    let builds = 0;
    const get = retryableOnce(
      () => (++builds === 1 ? Promise.reject(new Error('storage unreachable')) : Promise.resolve('services')),
      (error) => failures.push(error),
    );
    const first = await Promise.allSettled([get(), get()]);
    expect(first.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(failures).toHaveLength(1);
    expect(await get()).toBe('services');
    expect(builds).toBe(2);
  });
});
