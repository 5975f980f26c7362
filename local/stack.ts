import type { InvocationContext as InvocationContextType } from '@azure/functions';
import { InvocationContext } from './functionsRuntime.js';
import path from 'node:path';
import { actionsTrigger } from '../functions/actions.js';
import { alertsTrigger } from '../functions/alerts.js';
import { collectTrigger } from '../functions/collect.js';
import { dryRunTrigger } from '../functions/dryRun.js';
import { pollsTrigger } from '../functions/polls.js';
import { runsCreateTrigger } from '../functions/runsCreate.js';
import { runsGetTrigger } from '../functions/runsGet.js';
import { schedulesTrigger } from '../functions/schedules.js';
import { useServices } from '../shared/appServices.js';
import type { StorageQueueMessageBus } from '../shared/azure/storageQueueBus.js';
import type { DeliveryInfo, QueueName } from '../shared/bus/port.js';
import { ScaledClock } from '../shared/clock.js';
import { buildApp } from '../shared/composition.js';
import { loadConfig } from '../shared/config.js';
import { createLogger, type LogSink } from '../shared/log.js';
import type { Services } from '../shared/services/index.js';
import { startAzurite, type RunningAzurite } from './azurite.js';
import { serveHttpTriggers } from './httpServer.js';
import { QueueConsumer, type ConsumerEvent } from './queueConsumer.js';
import { SimulatorCredential } from '../simulator/credential.js';
import { loadFleet } from '../simulator/fleet.js';
import { startSimulator, type RunningSimulator } from '../simulator/index.js';

export interface LocalStackOptions {
  fleetPath: string;
  /** Responder and simulator clock speed-up (one scale drives both). */
  timeScale: number;
  /** Where the simulated clock starts (epoch ms); default: now. */
  startMs?: number;
  /** Azurite data folder; undefined: in memory. */
  dataDir?: string;
  playbooksDir?: string;
  /** Extra settings (same names as the Function App's). */
  settings?: Record<string, string>;
  logSink: LogSink;
  onConsumerEvent?: (event: ConsumerEvent) => void;
  /** Run the schedules timer every this many simulated ms (0: never). */
  scheduleSweepEveryMs?: number;
}

export interface LocalStack {
  services: Services;
  clock: ScaledClock;
  azurite: RunningAzurite;
  simulator: RunningSimulator;
  bus: StorageQueueMessageBus;
  consumer: QueueConsumer;
  apiUrl: string;
  stop(): Promise<void>;
}

/**
 * The one-machine default: Azurite and the Defender API simulator on
 * loopback, and the Function App's own trigger handlers driven over Azurite
 * queues (the local stand-in for Service Bus) and a loopback HTTP server.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const clock = new ScaledClock({ scale: options.timeScale, startMs: options.startMs });
  const azurite = await startAzurite({ location: options.dataDir });
  const fleet = await loadFleet(options.fleetPath);
  const simulator = await startSimulator({ fleet, clock });
  const logger = createLogger(options.logSink);
  const config = loadConfig({
    STORAGE_CONNECTION_STRING: azurite.connectionString,
    BUS_KIND: 'storage-queues',
    DEFENDER_API_BASE_URL: simulator.url,
    DEFENDER_ALLOW_HTTP_LOOPBACK: 'true',
    PLAYBOOKS_DIR: options.playbooksDir ?? path.resolve('playbooks'),
    TIME_SCALE: String(options.timeScale),
    ...options.settings,
  });
  const built = await buildApp(config, { clock, credential: new SimulatorCredential({ clock }), logger });
  const bus = built.storageQueueBus;
  if (!bus) throw new Error('the local stack needs the storage-queue bus');
  useServices(() => Promise.resolve(built.services));

  const invocation = (functionName: string, delivery?: DeliveryInfo): InvocationContextType =>
    new InvocationContext({
      functionName,
      invocationId: delivery?.messageId ?? functionName,
      triggerMetadata: delivery
        ? { messageId: delivery.messageId, deliveryCount: delivery.deliveryCount, applicationProperties: delivery.properties }
        : {},
      logHandler: (_level, ...args) => logger.log('debug', args.map(String).join(' '), { functionName }),
    });
  const triggers: Record<QueueName, (body: unknown, context: InvocationContextType) => Promise<void>> = {
    alerts: alertsTrigger,
    actions: actionsTrigger,
    polls: pollsTrigger,
    collect: collectTrigger,
  };
  const consumer = new QueueConsumer(bus, { onEvent: options.onConsumerEvent, concurrency: 8, pollIntervalMs: 250 });
  for (const [queue, trigger] of Object.entries(triggers) as [QueueName, (typeof triggers)[QueueName]][]) {
    consumer.register(queue, (body, delivery) => trigger(body, invocation(queue, delivery)));
  }
  consumer.start();

  const http = await serveHttpTriggers([
    { method: 'POST', pattern: '/api/runs', name: 'runsCreate', handler: runsCreateTrigger },
    { method: 'GET', pattern: '/api/runs/{id}', name: 'runsGet', handler: runsGetTrigger },
    { method: 'POST', pattern: '/api/dryrun', name: 'dryRun', handler: dryRunTrigger },
  ]);

  const sweepEveryMs = options.scheduleSweepEveryMs ?? 60_000;
  const timer =
    sweepEveryMs > 0
      ? setInterval(() => {
          schedulesTrigger(
            { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: '', next: '', lastUpdated: '' } },
            invocation('schedules'),
          ).catch((error: unknown) => logger.log('error', 'schedule sweep failed', { error: String(error) }));
        }, clock.toWallMs(sweepEveryMs))
      : undefined;

  return {
    services: built.services,
    clock,
    azurite,
    simulator,
    bus,
    consumer,
    apiUrl: http.url,
    async stop() {
      if (timer) clearInterval(timer);
      await consumer.stop();
      await http.close();
      await built.services.close();
      await simulator.close();
      await azurite.stop();
    },
  };
}
