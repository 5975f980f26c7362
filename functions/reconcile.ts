import { timerFunction } from './lib/binding.js';

const PARTS = ['poll-tick watchdog', 'reconciliation sweep', 'owed notifications'] as const;

/**
 * Timer (RECONCILE_CRON, every 5 min by default; `off`: none): the poll-tick
 * watchdog, the reconciliation sweep, which re-drives device actions whose
 * messages were lost, and the notifications owed since the notify queue
 * refused them, queued now. Each runs whatever the others do; a failure of
 * any is then reported to the host.
 */
export const reconcile = timerFunction({
  name: 'reconcile',
  schedule: (config) => config.reconcile.schedule,
  handler: async (services) => {
    const [revive, sweep, owed] = await Promise.allSettled([
      services.reviveTicks(),
      services.sweepRuns(),
      services.queueOwedNotifications(),
    ]);
    const failed = [revive, sweep, owed].flatMap((r, i) => (r.status === 'rejected' ? [`${PARTS[i]}: ${String(r.reason)}`] : []));
    if (failed.length > 0) throw new Error(`reconcile timer: ${failed.join('; ')}`);
    return {
      revivedPollTick: revive.status === 'fulfilled' && revive.value,
      ...(sweep.status === 'fulfilled' ? sweep.value : {}),
      ...(owed.status === 'fulfilled' ? owed.value : {}),
    };
  },
});
