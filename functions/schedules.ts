import { timerFunction } from './lib/binding.js';

/** Looks back this far for schedule firings, so a skipped timer firing still starts its runs. */
const LOOKBACK_MS = 15 * 60_000;

/** Timer (SCHEDULE_SWEEP_CRON): start the runs of playbook schedules that are due. */
export const schedules = timerFunction({
  name: 'schedules',
  schedule: (config) => config.scheduleSweepCron,
  handler: async (services) => {
    const sweep = await services.sweepSchedules(LOOKBACK_MS);
    return { started: sweep.started.filter((r) => r.created).length };
  },
});
