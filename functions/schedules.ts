import { app, type InvocationContext, type Timer } from '@azure/functions';
import { services } from '../shared/appServices.js';
import './lib/azureServices.js';

/** Looks back this far for schedule firings, so a skipped timer firing still starts its runs. */
const LOOKBACK_MS = 15 * 60_000;

/** Timer: start the runs of playbook schedules that are due. */
export async function schedulesTrigger(_timer: Timer, context: InvocationContext): Promise<void> {
  const result = await (await services()).sweepSchedules(LOOKBACK_MS);
  context.log(JSON.stringify({ trigger: 'schedules', started: result.started.filter((s) => s.created).length }));
}

app.timer('schedules', { schedule: '%SCHEDULE_SWEEP_CRON%', handler: schedulesTrigger });
