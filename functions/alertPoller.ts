import { timerFunction } from './lib/binding.js';

/** Timer (off unless ALERT_POLL_CRON is set): pull alerts updated since the stored watermark onto the alerts queue. */
export const alertPoller = timerFunction({
  name: 'alertPoller',
  schedule: (config) => config.alertPoller.schedule,
  handler: (services) => services.pollAlerts(),
});
