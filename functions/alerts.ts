import { app, type InvocationContext } from '@azure/functions';
import { services } from '../shared/appServices.js';
import './lib/azureServices.js';
import { deliveryOf } from './lib/delivery.js';

/** Alerts queue: one Defender alert per message -> a run (or a dead-letter with its reason). */
export async function alertsTrigger(message: unknown, context: InvocationContext): Promise<void> {
  const outcome = await (await services()).alerts(message, deliveryOf(context));
  context.log(JSON.stringify({ trigger: 'alerts', outcome: outcome.kind }));
}

app.serviceBusQueue('alerts', { connection: 'ServiceBusConnection', queueName: '%QUEUE_ALERTS%', handler: alertsTrigger });
