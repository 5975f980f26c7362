import { queueFunction } from './lib/binding.js';

/** Actions queue: submit one device's Live Response commands when pacing admits it. */
export const actions = queueFunction({
  name: 'actions',
  queue: 'actions',
  handler: (services, message, delivery) => services.actions(message, delivery),
});
