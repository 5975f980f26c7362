import type { TokenProvider } from '../shared/defender/port.js';
import { FUNCTIONS } from '../functions/registry.js';
import type { QueueName } from '../shared/bus/port.js';
import { QUEUE_NAMES } from '../shared/bus/queues.js';
import type { Clock } from '../shared/clock.js';
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

export interface WorkerOptions {
  config: Readonly<Config>;
  clock: Clock;
  credential: TokenProvider;
  logger: Logger;
  fetch?: typeof fetch;
  /** How long (wall seconds) a received message stays hidden while handled (default: the consumer's). */
  lockSeconds?: number;
  onEvent?: (worker: number, event: ConsumerEvent) => void;
}

const queueFunctions = FUNCTIONS.filter((f) => f.kind === 'queue');

/**
 * One worker: its own services and queue consumer serving the queue
 * functions, as one instance of the Function App serves its Service Bus
 * triggers. It starts consuming at once; stop it with {@link stopWorker}.
 */
export async function startWorker(index: number, options: WorkerOptions): Promise<Worker> {
  const logger = options.logger.child({ worker: index });
  const built = await buildApp(options.config, { clock: options.clock, credential: options.credential, logger, fetch: options.fetch });
  if (!built.storageQueueBus) throw new Error('workers need the storage-queue bus');
  const handled = Object.fromEntries(QUEUE_NAMES.map((q) => [q, 0])) as Record<QueueName, number>;
  const consumer = new QueueConsumer(built.storageQueueBus, {
    // As host.json's serviceBus.maxConcurrentCalls: a worker stands in for one Function instance.
    concurrency: 8,
    pollIntervalMs: 250,
    ...(options.lockSeconds === undefined ? {} : { lockSeconds: options.lockSeconds }),
    onEvent: (event) => {
      if (event.type === 'completed') handled[event.queue] += 1;
      options.onEvent?.(index, event);
    },
  });
  const services = built.services;
  const host = await serveFunctions(queueFunctions, { services, config: options.config, clock: options.clock, logger, queues: consumer });
  consumer.start();
  return { index, services, consumer, handled, stopHost: () => host.stop() };
}

/** Stops serving, lets the handlers in flight finish, then closes the worker's clients. */
export async function stopWorker(worker: Worker): Promise<void> {
  await worker.stopHost();
  await worker.consumer.stop();
  await worker.services.close();
}

/**
 * Several independent workers in this process, sharing one storage account
 * (runs, pacing state, queues) and one Defender API: the local stand-in for
 * a scaled-out Function App. Used by the scale-out tests and the pacing
 * benchmark (the fault suite runs each worker in a process of its own:
 * local/workerProcess.ts).
 */
export async function startWorkers(options: WorkerOptions & { count: number }): Promise<{ workers: Worker[]; stop(): Promise<void> }> {
  const workers: Worker[] = [];
  for (let index = 0; index < options.count; index++) workers.push(await startWorker(index, options));
  return {
    workers,
    async stop() {
      await Promise.all(workers.map((w) => w.stopHost()));
      await Promise.all(workers.map((w) => w.consumer.stop()));
      await Promise.all(workers.map((w) => w.services.close()));
    },
  };
}
