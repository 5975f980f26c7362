import type { HttpRequest as HttpRequestType, HttpResponseInit, InvocationContext as InvocationContextType } from '@azure/functions';
import { guardRoute } from '../functions/lib/guard.js';
import type { FunctionDeclaration, TimerFunction } from '../functions/lib/binding.js';
import type { DeliveryInfo, QueueName } from '../shared/bus/port.js';
import type { Clock } from '../shared/clock.js';
import type { Config } from '../shared/config.js';
import { describeError } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';
import { firingsBetween, parseCron } from '../shared/playbooks/cron.js';
import type { Services } from '../shared/services/index.js';
import { serveHttpTriggers } from './httpServer.js';

/** What the local host needs of a queue consumer (QueueConsumer; tests pass a recorder). */
export interface QueueSubscriber {
  register(queue: QueueName, handler: (body: unknown, delivery: DeliveryInfo) => Promise<void>): unknown;
}

export interface ServedFunctions {
  /** Names of the declarations served, in declaration order. */
  served: string[];
  /** Where the HTTP functions are served (loopback); undefined when none are. */
  apiUrl?: string;
  /** Stops the timers and the HTTP server (the queue consumer is the caller's). */
  stop(): Promise<void>;
}

/**
 * The local host: serves the same declarations as the Function App
 * (functions/registry.ts) — queues through the caller's consumer (Azurite
 * queues standing in for Service Bus), HTTP routes under /api on loopback,
 * timers on their NCRONTAB schedule from the config, on the responder's
 * (possibly scaled) clock. A timer whose schedule is off is not served, as
 * in the Function App. Each outcome is logged at debug level, as the
 * Function App logs it through its invocation context.
 */
export async function serveFunctions(
  declarations: readonly FunctionDeclaration[],
  host: {
    services: Services;
    config: Readonly<Config>;
    clock: Clock;
    logger: Logger;
    queues?: QueueSubscriber;
    /** Serve timers (default true); tests that drive time themselves turn them off. */
    timers?: boolean;
  },
): Promise<ServedFunctions> {
  const { services, logger } = host;
  const logOutcome = (trigger: string, outcome: unknown): void =>
    logger.log('debug', 'function ran', { trigger, outcome: typeof outcome === 'string' ? outcome : JSON.stringify(outcome) });
  const served: string[] = [];
  const routes = [];
  const timers: { stop(): void }[] = [];
  for (const declaration of declarations) {
    if (declaration.kind === 'queue') {
      if (!host.queues) continue;
      host.queues.register(declaration.queue, async (body, delivery) =>
        logOutcome(declaration.name, await declaration.handler(services, body, delivery)),
      );
    } else if (declaration.kind === 'http') {
      const guarded = guardRoute(declaration, host.config);
      routes.push({
        methods: declaration.methods,
        pattern: `/api/${declaration.route}`,
        name: declaration.name,
        handler: (request: HttpRequestType, context: InvocationContextType): Promise<HttpResponseInit> =>
          guarded(services, request, context.invocationId),
      });
    } else {
      const schedule = declaration.schedule(host.config);
      if (schedule === undefined || host.timers === false) continue;
      timers.push(
        startTimer(
          declaration,
          schedule,
          host.clock,
          async () => logOutcome(declaration.name, await declaration.handler(services)),
          logger,
        ),
      );
    }
    served.push(declaration.name);
  }
  const http = routes.length > 0 ? await serveHttpTriggers(routes) : undefined;
  return {
    served,
    apiUrl: http?.url,
    async stop() {
      for (const timer of timers) timer.stop();
      await http?.close();
    },
  };
}

/** How often (wall ms) the local host looks whether a timer is due. */
const TIMER_TICK_WALL_MS = 250;

/**
 * Fires `run` once for each tick in which the schedule had one or more
 * firings on the responder's clock; a run still going when the next is due
 * is not overlapped (the Functions host runs a timer as a singleton).
 */
function startTimer(
  declaration: TimerFunction,
  schedule: string,
  clock: Clock,
  run: () => Promise<void>,
  logger: Logger,
): { stop(): void } {
  const parsed = parseCron(schedule);
  if (!parsed.ok) throw new Error(`${declaration.name}: ${parsed.errors}`);
  let lastMs = clock.nowMs();
  let running = false;
  const interval = setInterval(() => {
    const nowMs = clock.nowMs();
    const due = firingsBetween(parsed.value, lastMs, nowMs).length > 0;
    lastMs = nowMs;
    if (!due || running) return;
    running = true;
    run()
      .catch((error: unknown) => logger.log('error', 'timer function failed', { trigger: declaration.name, error: describeError(error) }))
      .finally(() => (running = false));
  }, TIMER_TICK_WALL_MS);
  return { stop: () => clearInterval(interval) };
}
