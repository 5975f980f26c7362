import path from 'node:path';
import { FUNCTIONS } from '../functions/registry.js';
import type { StorageQueueMessageBus } from '../shared/azure/storageQueueBus.js';
import { ScaledClock } from '../shared/clock.js';
import { buildApp } from '../shared/composition.js';
import { loadConfig, type Config } from '../shared/config.js';
import { createLogger, type LogSink } from '../shared/log.js';
import type { Services } from '../shared/services/index.js';
import { startAzurite, type RunningAzurite } from './azurite.js';
import { serveFunctions } from './host.js';
import { QueueConsumer, type ConsumerEvent } from './queueConsumer.js';
import { SimulatorCredential } from '../simulator/credential.js';
import { loadFleet } from '../simulator/fleet.js';
import type { Metrics } from '../shared/telemetry/metrics.js';
import { startSimulator, type Profile, type RunningSimulator } from '../simulator/index.js';

export interface LocalStackOptions {
  fleetPath: string;
  /** The simulator's strictness profile (default: the fleet's `options.profile`, else lenient). */
  simulatorProfile?: Profile;
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
  /** Where the responder's metrics go (`npm start -- --metrics`: printed); default: none recorded. */
  metrics?: Metrics;
  onConsumerEvent?: (event: ConsumerEvent) => void;
  /** Serve the timer functions (default true; their schedules come from the settings). */
  timers?: boolean;
}

export interface LocalStack {
  services: Services;
  config: Readonly<Config>;
  clock: ScaledClock;
  azurite: RunningAzurite;
  simulator: RunningSimulator;
  bus: StorageQueueMessageBus;
  consumer: QueueConsumer;
  apiUrl: string;
  /** The functions this host serves (functions/registry.ts, less timers that are off). */
  served: string[];
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
  const simulator = await startSimulator({
    fleet,
    clock,
    ...(options.simulatorProfile === undefined ? {} : { settings: { profile: options.simulatorProfile } }),
  });
  const logger = createLogger(options.logSink);
  const config = loadConfig({
    STORAGE_CONNECTION_STRING: azurite.connectionString,
    BUS_KIND: 'storage-queues',
    DEFENDER_API_BASE_URL: simulator.url,
    DEFENDER_ALLOW_HTTP_LOOPBACK: 'true',
    PLAYBOOKS_DIR: options.playbooksDir ?? path.resolve('playbooks'),
    TIME_SCALE: String(options.timeScale),
    // Every simulated minute: a demo's schedules start on time, and the watchdog and the sweep look every minute.
    SCHEDULE_SWEEP_CRON: '0 * * * * *',
    RECONCILE_CRON: '0 * * * * *',
    // No App Service sign-in on this machine: every API call is the development principal (--as, --roles).
    OPERATOR_AUTH: 'development',
    ...options.settings,
  });
  const built = await buildApp(config, {
    clock,
    credential: new SimulatorCredential({ clock }),
    logger,
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
  const bus = built.storageQueueBus;
  if (!bus) throw new Error('the local stack needs the storage-queue bus');

  // As host.json's serviceBus.maxConcurrentCalls: the local host stands in for one Function instance.
  const consumer = new QueueConsumer(bus, { onEvent: options.onConsumerEvent, concurrency: 8, pollIntervalMs: 250 });
  const host = await serveFunctions(FUNCTIONS, {
    services: built.services,
    config,
    clock,
    logger,
    queues: consumer,
    timers: options.timers,
  });
  // The Function App's directory timer first fires up to 15 minutes after deployment; locally the
  // directory is filled once before the first message, so alerts and manual runs find their devices.
  await built.services.refreshDeviceDirectory();
  consumer.start();
  if (!host.apiUrl) throw new Error('the registry declares no HTTP functions');

  return {
    services: built.services,
    config,
    clock,
    azurite,
    simulator,
    bus,
    consumer,
    apiUrl: host.apiUrl,
    served: host.served,
    async stop() {
      await host.stop();
      await consumer.stop();
      await built.services.close();
      await simulator.close();
      await azurite.stop();
    },
  };
}
