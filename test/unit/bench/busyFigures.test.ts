import { describe, expect, it } from 'vitest';
import { busyFigures, formatBusyReport, type ActionTimes } from '../../../bench/busy/measure.js';
import type { SimulatorStats } from '../../../simulator/index.js';

const T0 = 1_795_000_000_000;
const action = (machineId: string, fromS: number, toS: number): ActionTimes => ({
  machineId,
  createdMs: T0 + fromS * 1_000,
  lastUpdateMs: T0 + toS * 1_000,
  status: 'Succeeded',
});
const stats = (over: Partial<SimulatorStats>): SimulatorStats =>
  ({ calls: {}, throttled: {}, activeRequestRejections: 0, ...over }) as SimulatorStats;

describe('the busy-devices benchmark figures', () => {
  // Device a: 100 s + 100 s with a 10 s gap; device b: one 50 s action. The last update is at 215 s.
  const actions = [action('a', 110, 210), action('a', 0, 100), action('b', 165, 215)];

  it('bounds the makespan by the longest device’s summed action time, and measures the gaps between its actions', () => {
    const f = busyFigures(actions, T0, stats({ calls: { listMachineActions: 6 } }));
    expect(f.lowerBoundMs).toBe(200_000);
    expect(f.makespanMs).toBe(215_000);
    expect(f.ratioToLowerBound).toBe(1.075);
    expect(f.devices.find((d) => d.machineId === 'a')).toMatchObject({ busyMs: 200_000, gapsMs: [10_000], maxGapMs: 10_000 });
    expect(f.statusCallsPerAction).toBe(2);
  });

  it('prints each figure beside its goal, missed when a call was refused as device busy', () => {
    const report = formatBusyReport(busyFigures(actions, T0, stats({ activeRequestRejections: 2 })), 'busy');
    expect(report).toContain('MET   makespan / per-device lower bound   1.075   goal <= 1.1');
    expect(report).toContain('MISS  ActiveRequestAlreadyExists answers  2   goal 0');
  });
});
