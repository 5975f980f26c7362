import { readFileSync } from 'node:fs';

/*
 * For tests of a message whose handling outlives its lock: the first
 * delivery, the same message delivered again, and a way to let the first
 * run up to the call it waits on, without timers.
 */

/** An alert the shipped process-memory-dump playbook answers, on helpers/fakes.ts's DEVICE. */
export const answeredAlert = JSON.parse(
  readFileSync(new URL('../fixtures/alerts/defender-api-alert.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;

export const firstDelivery = { messageId: 'm1', deliveryCount: 1 };
/** The same message delivered again: its lock lapsed while the first delivery was still being handled. */
export const redelivery = { messageId: 'm1', deliveryCount: 2 };

/** Lets pending promise chains run until `done` holds (the call a test keeps unanswered holds the rest). */
export async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 10_000 && !done(); i += 1) await Promise.resolve();
  if (!done()) throw new Error('never got there');
}
