import type {
  HttpHandler,
  HttpMethod,
  InvocationContext,
  ServiceBusQueueFunctionOptions,
  TimerFunctionOptions,
  HttpFunctionOptions,
} from '@azure/functions';
import type { Config } from '../../shared/config.js';
import type { Services } from '../../shared/services/index.js';
import type { FunctionDeclaration } from './binding.js';
import { redactError, redactText } from '../../shared/redaction.js';
import { deliveryOf } from './delivery.js';
import { guardRoute } from './guard.js';
import { inInvocation } from './invocationLog.js';

/** The part of @azure/functions' `app` the Function App host uses (tests pass a recorder). */
export interface FunctionsApp {
  serviceBusQueue(name: string, options: ServiceBusQueueFunctionOptions): void;
  http(name: string, options: HttpFunctionOptions): void;
  timer(name: string, options: TimerFunctionOptions): void;
}

/**
 * Registers every declaration with the Functions host: queues as Service Bus
 * triggers on the `ServiceBusConnection` connection (the queue's name from
 * the config, i.e. its `QUEUE_*` setting or the default), HTTP routes behind sign-in and their role (guard.ts), timers on
 * their schedule from the config (a timer whose schedule is off is not
 * registered). Returns the names registered.
 */
export function registerFunctions(
  app: FunctionsApp,
  declarations: readonly FunctionDeclaration[],
  config: Readonly<Config>,
  services: () => Promise<Services>,
): string[] {
  const registered: string[] = [];
  for (const declaration of declarations) {
    switch (declaration.kind) {
      case 'queue':
        app.serviceBusQueue(declaration.name, {
          connection: 'ServiceBusConnection',
          queueName: config.bus.queues[declaration.queue],
          handler: async (message: unknown, context: InvocationContext) => {
            const outcome = await hostSafe(context, async () => declaration.handler(await services(), message, deliveryOf(context)));
            context.log(redactText(JSON.stringify({ trigger: declaration.name, outcome })));
          },
        });
        break;
      case 'http': {
        const guarded = guardRoute(declaration, config);
        const handler: HttpHandler = async (request, context) =>
          hostSafe(context, async () => guarded(await services(), request, context.invocationId));
        app.http(declaration.name, {
          methods: [...declaration.methods] as HttpMethod[],
          route: declaration.route,
          // Sign-in and roles (guard.ts) decide; a function key would only be a shared secret in the browser.
          authLevel: 'anonymous',
          handler,
        });
        break;
      }
      case 'timer': {
        const schedule = declaration.schedule(config);
        if (schedule === undefined) continue;
        app.timer(declaration.name, {
          schedule,
          handler: async (_timer, context) => {
            const outcome = await hostSafe(context, async () => declaration.handler(await services()));
            context.log(redactText(JSON.stringify({ trigger: declaration.name, outcome })));
          },
        });
        break;
      }
    }
    registered.push(declaration.name);
  }
  return registered;
}

/**
 * Runs a handler as part of its invocation (what it logs is filed under it,
 * invocationLog.ts); what it throws reaches the host (which logs it and
 * abandons the message) only redacted.
 */
async function hostSafe<T>(context: InvocationContext, run: () => Promise<T>): Promise<T> {
  try {
    return await inInvocation(context, run);
  } catch (error) {
    throw redactError(error);
  }
}
