import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { ScaledClock } from '../shared/clock.js';
import { loadConfig } from '../shared/config.js';
import { describeError } from '../shared/errors.js';
import { redactText } from '../shared/redaction.js';
import { createLogger, jsonLinesSink, type LogLevel } from '../shared/log.js';
import { SimulatorCredential } from '../simulator/credential.js';
import { startWorker, stopWorker } from './workers.js';

/**
 * The environment a worker process reads besides the responder's own
 * settings (those `loadConfig` reads, TIME_SCALE among them): where the
 * shared scaled clock starts, so that every process reads the same time.
 */
const processSchema = z.object({
  /** The responder clock's reading (epoch ms) at LOCAL_CLOCK_ORIGIN_WALL_MS. */
  LOCAL_CLOCK_START_MS: z.coerce.number().int().nonnegative(),
  /** The wall instant (epoch ms) at which the clock read LOCAL_CLOCK_START_MS. */
  LOCAL_CLOCK_ORIGIN_WALL_MS: z.coerce.number().int().nonnegative(),
  /** Names the worker in its log lines. */
  LOCAL_WORKER_INDEX: z.coerce.number().int().nonnegative().default(0),
  /** How long (wall seconds) a message stays hidden while handled: a killed worker's messages reappear after it. */
  LOCAL_QUEUE_LOCK_SECONDS: z.coerce.number().int().positive().optional(),
  LOCAL_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
});

/** The environment a parent gives a worker process (merged over the responder's settings). */
export function workerProcessEnvironment(
  clock: ScaledClock,
  index: number,
  options: { logLevel: LogLevel; lockSeconds?: number },
): Record<string, string> {
  return {
    ...(options.lockSeconds === undefined ? {} : { LOCAL_QUEUE_LOCK_SECONDS: String(options.lockSeconds) }),
    TIME_SCALE: String(clock.scale),
    LOCAL_CLOCK_START_MS: String(Math.round(clock.originVirtualMs)),
    LOCAL_CLOCK_ORIGIN_WALL_MS: String(Math.round(clock.originWallMs)),
    LOCAL_WORKER_INDEX: String(index),
    LOCAL_LOG_LEVEL: options.logLevel,
  };
}

/** The log line a worker process writes once it consumes its queues. */
export const WORKER_READY_MESSAGE = 'worker process ready';

/**
 * One responder worker in a process of its own: the queue functions over
 * Azurite queues (the local consumer), against the Defender API simulator,
 * on the scaled clock its parent shares with every other process. Logs are
 * JSON lines on stderr. SIGTERM stops it cleanly; the fault suite ends it
 * with SIGKILL.
 */
async function main(): Promise<void> {
  const own = processSchema.parse(process.env);
  const config = loadConfig(process.env);
  const clock = new ScaledClock({
    scale: config.timeScale,
    startMs: own.LOCAL_CLOCK_START_MS,
    originWallMs: own.LOCAL_CLOCK_ORIGIN_WALL_MS,
  });
  const logger = createLogger(jsonLinesSink(own.LOCAL_LOG_LEVEL));
  const worker = await startWorker(own.LOCAL_WORKER_INDEX, {
    config,
    clock,
    credential: new SimulatorCredential({ clock }),
    logger,
    lockSeconds: own.LOCAL_QUEUE_LOCK_SECONDS,
  });
  logger.log('info', WORKER_READY_MESSAGE, { worker: own.LOCAL_WORKER_INDEX, pid: process.pid });
  const stop = (): void =>
    void stopWorker(worker).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error: unknown) => {
    process.stderr.write(
      JSON.stringify({ level: 'error', message: 'worker process failed to start', error: redactText(describeError(error)) }) + '\n',
    );
    process.exit(1);
  });
}
