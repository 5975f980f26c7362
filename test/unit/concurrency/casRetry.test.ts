import { describe, expect, it } from 'vitest';
import { casRetry, conflict, DEFAULT_CAS_ATTEMPTS, settled } from '../../../shared/concurrency/casRetry.js';
import { ContendedError, ResponderError, TransientError } from '../../../shared/errors.js';

describe('compare-and-swap retry', () => {
  it('returns the value of the first attempt that settles, numbering attempts from 1', async () => {
    const seen: number[] = [];
    const value = await casRetry('doc', (attempt) => {
      seen.push(attempt);
      return Promise.resolve(attempt < 3 ? conflict : settled(`won on ${attempt}`));
    });
    expect(value).toBe('won on 3');
    expect(seen).toEqual([1, 2, 3]);
  });

  it('gives up after its default limit with a ContendedError naming the resource', async () => {
    let attempts = 0;
    const error: unknown = await casRetry('device action a-1/d-1', () => {
      attempts += 1;
      return Promise.resolve(conflict);
    }).catch((e: unknown) => e);
    expect(attempts).toBe(DEFAULT_CAS_ATTEMPTS);
    expect(error).toBeInstanceOf(ContendedError);
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toBeInstanceOf(ResponderError);
    expect((error as ContendedError).resource).toBe('device action a-1/d-1');
    expect((error as ContendedError).message).toBe(
      `device action a-1/d-1 is contended: ${DEFAULT_CAS_ATTEMPTS} conflicting updates in a row`,
    );
  });

  it('honours a given attempt limit and pauses between attempts, never after the last', async () => {
    let attempts = 0;
    const pauses: number[] = [];
    await expect(
      casRetry(
        'doc',
        () => {
          attempts += 1;
          return Promise.resolve(conflict);
        },
        {
          maxAttempts: 3,
          pauseMs: (attempt) => {
            pauses.push(attempt);
            return 1;
          },
        },
      ),
    ).rejects.toThrow(/doc is contended: 3 conflicting updates/);
    expect(attempts).toBe(3);
    expect(pauses).toEqual([1, 2]);
  });

  it('lets a fault thrown by an attempt through, unretried', async () => {
    let attempts = 0;
    await expect(
      casRetry('doc', () => {
        attempts += 1;
        return Promise.reject(new Error('store down'));
      }),
    ).rejects.toThrow('store down');
    expect(attempts).toBe(1);
  });
});
