import { queueFunction } from './lib/binding.js';

/** Notify queue: one notification (a run ended, an action failed, a message dead-lettered) delivered to one sink. */
export const notify = queueFunction({
  name: 'notify',
  queue: 'notify',
  handler: (services, message, delivery) => services.notify(message, delivery),
});
