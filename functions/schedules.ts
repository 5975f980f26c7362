import { app, type InvocationContext, type Timer } from '@azure/functions';
import { services } from '../shared/appServices.js';
import './lib/azureServices.js';

/** Looks back this far for schedule firings, so a skipped timer firing still starts its runs. */
const LOOKBACK_MS = 15 * 60_000;

/** Timer: start the runs of playbook schedules that are due; revive the poll tick if its message was lost. */
export async function schedulesTrigger(_timer: Timer, context: InvocationContext): Promise<void> {
  const s = await services();
  const result = await s.sweepSchedules(LOOKBACK_MS);
  const revived = await s.reviveTicks();
  context.log(JSON.stringify({ trigger: 'schedules', started: result.started.filter((r) => r.created).length, revivedPollTick: revived }));
}

app.timer('schedules', { schedule: '%SCHEDULE_SWEEP_CRON%', handler: schedulesTrigger });
