import { timerFunction } from './lib/binding.js';

/**
 * Timer (RECONCILE_CRON, every 5 min by default; `off`: none): the poll-tick
 * watchdog and the reconciliation sweep, which re-drives device actions whose
 * messages were lost. Each runs whatever the other does; a failure of either
 * is then reported to the host.
 */
export const reconcile = timerFunction({
  name: 'reconcile',
  schedule: (config) => config.reconcile.schedule,
  handler: async (services) => {
    const [revive, sweep] = await Promise.allSettled([services.reviveTicks(), services.sweepRuns()]);
    const failed = [revive, sweep].flatMap((r, i) =>
      r.status === 'rejected' ? [`${i === 0 ? 'poll-tick watchdog' : 'reconciliation sweep'}: ${String(r.reason)}`] : [],
    );
    if (failed.length > 0) throw new Error(`reconcile timer: ${failed.join('; ')}`);
    return { revivedPollTick: revive.status === 'fulfilled' && revive.value, ...(sweep.status === 'fulfilled' ? sweep.value : {}) };
  },
});
