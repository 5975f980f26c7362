/**
 * The pipeline's queues, in one table: a new queue is one line here. Its
 * name in the bus is the setting `QUEUE_<NAME>` (default: the key itself),
 * which config.ts validates and both hosts bind to; its poison queue is
 * `<name>-poison` (see poison.ts).
 */
export const QUEUES = {
  alerts: 'one Defender alert per message (Service Bus: from the alert forwarder or the alert poller)',
  actions: "one device's Live Response submission, scheduled at its send slot",
  polls: 'the tenant-wide poll tick',
  collect: "one finished command's result to store as evidence",
  notify: 'one notification (a run ended, an action failed or expired, a message dead-lettered) for one sink, retried until delivered',
} as const;

export type QueueName = keyof typeof QUEUES;

export const QUEUE_NAMES = Object.keys(QUEUES) as QueueName[];

/** The bus's name for each logical queue (from the `QUEUE_*` settings). */
export type QueueMap = Readonly<Record<QueueName, string>>;

/** The setting that names a queue in the bus: `QUEUE_ALERTS` for `alerts`. */
export function queueSetting(queue: QueueName): `QUEUE_${Uppercase<QueueName>}` {
  return `QUEUE_${queue.toUpperCase() as Uppercase<QueueName>}`;
}
