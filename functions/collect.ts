import { queueFunction } from './lib/binding.js';

/** Collect queue: stream one command's result into evidence storage. */
export const collect = queueFunction({
  name: 'collect',
  queue: 'collect',
  handler: (services, message, delivery) => services.collect(message, delivery),
});
