import { timerFunction } from './lib/binding.js';

/** Looks back this far for schedule firings, so a skipped timer firing still starts its runs. */
const LOOKBACK_MS = 15 * 60_000;

/**
 * Timer (SCHEDULE_SWEEP_CRON): start the runs of playbook schedules that are
 * due, and revive the poll tick if its message was lost. Each runs whatever
 * the other does: a failing schedule sweep does not stop the watchdog (and the
 * other way round); a failure of either is then reported to the host.
 */
export const schedules = timerFunction({
  name: 'schedules',
  schedule: (config) => config.scheduleSweepCron,
  handler: async (services) => {
    const [sweep, revive] = await Promise.allSettled([services.sweepSchedules(LOOKBACK_MS), services.reviveTicks()]);
    const failed = [sweep, revive].flatMap((r, i) =>
      r.status === 'rejected' ? [`${i === 0 ? 'schedule sweep' : 'poll-tick watchdog'}: ${String(r.reason)}`] : [],
    );
    if (failed.length > 0) throw new Error(`schedules timer: ${failed.join('; ')}`);
    return {
      started: sweep.status === 'fulfilled' ? sweep.value.started.filter((r) => r.created).length : 0,
      revivedPollTick: revive.status === 'fulfilled' && revive.value,
    };
  },
});
