import { describe, expect, it } from 'vitest';
import { cachedQueueProbe } from '../../../shared/bus/cachedQueueProbe.js';
import type { QueueLook, QueueName, QueueProbe } from '../../../shared/bus/port.js';
import { ManualClock } from '../../../shared/clock.js';

const look = (count: number): QueueLook => ({
  messages: { count, countIs: 'exact', oldestReadyAgeIs: 'exact' },
  deadLetters: { poison: { count: 0, countIs: 'exact' } },
});

/** A probe answering each look with the number of looks it has made so far, or failing while `failing` is set. */
function countingProbe() {
  const asked: QueueName[] = [];
  const state = { failing: false };
  const probe: QueueProbe = {
    look: (queue) => {
      asked.push(queue);
      return state.failing ? Promise.reject(new Error('peek refused')) : Promise.resolve(look(asked.length));
    },
  };
  return { probe, asked, state };
}

describe('queue looks shared for a few seconds', () => {
  it('shares one look per queue among callers within the window, and looks again after it', async () => {
    const clock = new ManualClock(0);
    const { probe, asked } = countingProbe();
    const cached = cachedQueueProbe(probe, clock, 10_000);
    const [a, b] = await Promise.all([cached.look('actions'), cached.look('actions')]);
    clock.advance(9_999);
    const c = await cached.look('actions');
    await cached.look('alerts');
    clock.advance(1);
    const d = await cached.look('actions');
    expect([a, b, c].map((l) => l.messages.count)).toEqual([1, 1, 1]);
    expect(d.messages.count).toBe(3);
    expect(asked).toEqual(['actions', 'alerts', 'actions']);
  });

  it('does not keep a failed look: the next caller looks again', async () => {
    const clock = new ManualClock(0);
    const { probe, asked, state } = countingProbe();
    const cached = cachedQueueProbe(probe, clock, 10_000);
    state.failing = true;
    await expect(cached.look('polls')).rejects.toThrow('peek refused');
    state.failing = false;
    expect((await cached.look('polls')).messages.count).toBe(2);
    expect(asked).toHaveLength(2);
  });

  it('looks every time when sharing is off', async () => {
    const { probe, asked } = countingProbe();
    const cached = cachedQueueProbe(probe, new ManualClock(0), 0);
    await cached.look('collect');
    await cached.look('collect');
    expect(asked).toHaveLength(2);
  });
});
