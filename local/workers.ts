import type { TokenProvider } from '../shared/defender/port.js';
import { FUNCTIONS } from '../functions/registry.js';
import type { QueueName } from '../shared/bus/port.js';
import { QUEUE_NAMES } from '../shared/bus/queues.js';
import type { ScaledClock } from '../shared/clock.js';
import { buildApp } from '../shared/composition.js';
import type { Config } from '../shared/config.js';
import type { Logger } from '../shared/log.js';
import type { Services } from '../shared/services/index.js';
import { serveFunctions } from './host.js';
import { QueueConsumer, type ConsumerEvent } from './queueConsumer.js';

export interface Worker {
  index: number;
  services: Services;
  consumer: QueueConsumer;
  /** Messages this worker's handlers completed, per queue. */
  handled: Record<QueueName, number>;
  stopHost(): Promise<void>;
}

const queueFunctions = FUNCTIONS.filter((f) => f.kind === 'queue');

/**
 * Several independent workers, each with its own services and queue
 * consumer, sharing one storage account (runs, pacing state, queues) and one
 * Defender API: the local stand-in for a scaled-out Function App. Used by the
 * scale-out tests and the pacing benchmark.
 */
export async function startWorkers(options: {
  count: number;
  config: Readonly<Config>;
  clock: ScaledClock;
  credential: TokenProvider;
  logger: Logger;
  fetch?: typeof fetch;
  onEvent?: (worker: number, event: ConsumerEvent) => void;
}): Promise<{ workers: Worker[]; stop(): Promise<void> }> {
  const workers: Worker[] = [];
  for (let index = 0; index < options.count; index++) {
    const logger = options.logger.child({ worker: index });
    const built = await buildApp(options.config, { clock: options.clock, credential: options.credential, logger, fetch: options.fetch });
    if (!built.storageQueueBus) throw new Error('workers need the storage-queue bus');
    const handled = Object.fromEntries(QUEUE_NAMES.map((q) => [q, 0])) as Record<QueueName, number>;
    const consumer = new QueueConsumer(built.storageQueueBus, {
      // As host.json's serviceBus.maxConcurrentCalls: a worker stands in for one Function instance.
      concurrency: 8,
      pollIntervalMs: 250,
      onEvent: (event) => {
        if (event.type === 'completed') handled[event.queue] += 1;
        options.onEvent?.(index, event);
      },
    });
    const s = built.services;
    // The queue functions only: a worker stands in for a Function instance's Service Bus triggers.
    const host = await serveFunctions(queueFunctions, {
      services: s,
      config: options.config,
      clock: options.clock,
      logger,
      queues: consumer,
    });
    consumer.start();
    workers.push({ index, services: s, consumer, handled, stopHost: () => host.stop() });
  }
  return {
    workers,
    async stop() {
      await Promise.all(workers.map((w) => w.stopHost()));
      await Promise.all(workers.map((w) => w.consumer.stop()));
      await Promise.all(workers.map((w) => w.services.close()));
    },
  };
}
