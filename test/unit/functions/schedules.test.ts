import { describe, expect, it } from 'vitest';
import { schedules } from '../../../functions/schedules.js';
import { createServices, type Services } from '../../../shared/services/index.js';
import { fakeDeps } from '../../helpers/fakes.js';

describe('the schedules timer', () => {
  it('revives the poll tick even when the schedule sweep fails, then reports the failure', async () => {
    let revived = 0;
    const services: Services = {
      ...createServices(fakeDeps()),
      sweepSchedules: () => Promise.reject(new Error('playbook store unreachable')),
      reviveTicks: () => {
        revived += 1;
        return Promise.resolve(true);
      },
    };
    await expect(schedules.handler(services)).rejects.toThrow(/schedule sweep: Error: playbook store unreachable/);
    expect(revived).toBe(1);
  });

  it('sweeps the schedules even when the watchdog fails', async () => {
    let swept = 0;
    const base = createServices(fakeDeps());
    const services: Services = {
      ...base,
      sweepSchedules: (lookbackMs) => {
        swept += 1;
        return base.sweepSchedules(lookbackMs);
      },
      reviveTicks: () => Promise.reject(new Error('pacing state unreachable')),
    };
    await expect(schedules.handler(services)).rejects.toThrow(/poll-tick watchdog/);
    expect(swept).toBe(1);
  });
});
