import { describe, expect, it } from 'vitest';
import { reconcile } from '../../../functions/reconcile.js';
import { createServices, type Services } from '../../../shared/services/index.js';
import { fakeDeps } from '../../helpers/fakes.js';

describe('the reconcile timer', () => {
  it('revives the poll tick even when the sweep fails, then reports the failure', async () => {
    let revived = 0;
    const services: Services = {
      ...createServices(fakeDeps()),
      sweepRuns: () => Promise.reject(new Error('run store unreachable')),
      reviveTicks: () => {
        revived += 1;
        return Promise.resolve(true);
      },
    };
    await expect(reconcile.handler(services)).rejects.toThrow(/reconciliation sweep: Error: run store unreachable/);
    expect(revived).toBe(1);
  });

  it('sweeps the runs even when the watchdog fails', async () => {
    let swept = 0;
    const base = createServices(fakeDeps());
    const services: Services = {
      ...base,
      sweepRuns: () => {
        swept += 1;
        return base.sweepRuns();
      },
      reviveTicks: () => Promise.reject(new Error('pacing state unreachable')),
    };
    await expect(reconcile.handler(services)).rejects.toThrow(/poll-tick watchdog/);
    expect(swept).toBe(1);
  });

  it('queues the owed notifications even when the sweep fails, and reports both', async () => {
    let queued = 0;
    const services: Services = {
      ...createServices(fakeDeps()),
      sweepRuns: () => Promise.reject(new Error('run store unreachable')),
      queueOwedNotifications: () => {
        queued += 1;
        return Promise.reject(new Error('owed table unreachable'));
      },
    };
    await expect(reconcile.handler(services)).rejects.toThrow(
      /reconciliation sweep: .*; owed notifications: Error: owed table unreachable/,
    );
    expect(queued).toBe(1);
  });

  it('says how many owed notifications a firing queued', async () => {
    const services: Services = {
      ...createServices(fakeDeps()),
      queueOwedNotifications: () => Promise.resolve({ notificationsQueued: 2, notificationsStillOwed: 1 }),
    };
    await expect(reconcile.handler(services)).resolves.toMatchObject({ notificationsQueued: 2, notificationsStillOwed: 1 });
  });

  it('is not registered when RECONCILE_CRON is off', () => {
    const config = fakeDeps().config;
    expect(reconcile.schedule(config)).toBe('0 */5 * * * *');
    expect(reconcile.schedule({ ...config, reconcile: { ...config.reconcile, schedule: undefined } })).toBeUndefined();
  });
});
