import { app, type InvocationContext, type Timer } from '@azure/functions';
import { services } from '../shared/appServices.js';
import { alertPollSchedule } from '../shared/config.js';
import './lib/azureServices.js';

/** Timer: pull alerts updated since the stored watermark onto the alerts queue. */
export async function alertPollerTrigger(_timer: Timer, context: InvocationContext): Promise<void> {
  const outcome = await (await services()).pollAlerts();
  context.log(JSON.stringify({ trigger: 'alertPoller', outcome }));
}

// Off unless configured: the timer exists only when ALERT_POLL_CRON is set (a bad value fails start-up, named).
const schedule = alertPollSchedule(process.env);
if (schedule) app.timer('alertPoller', { schedule, handler: alertPollerTrigger });
