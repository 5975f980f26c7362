import { queueFunction } from './lib/binding.js';

/** Alerts queue: one Defender alert per message -> a run (or a dead-letter with its reason). */
export const alerts = queueFunction({
  name: 'alerts',
  queue: 'alerts',
  handler: async (services, message, delivery) => (await services.alerts(message, delivery)).kind,
});
