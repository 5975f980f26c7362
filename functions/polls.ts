import { queueFunction } from './lib/binding.js';

/** Polls queue: the tenant-wide poll tick follows every open machine action until it ends. */
export const polls = queueFunction({
  name: 'polls',
  queue: 'polls',
  handler: (services, message, delivery) => services.polls(message, delivery),
});
