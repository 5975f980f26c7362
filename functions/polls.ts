import { app, type InvocationContext } from '@azure/functions';
import { services } from '../shared/appServices.js';
import './lib/azureServices.js';
import { deliveryOf } from './lib/delivery.js';

/** Polls queue: follow one machine action until it ends. */
export async function pollsTrigger(message: unknown, context: InvocationContext): Promise<void> {
  const outcome = await (await services()).polls(message, deliveryOf(context));
  context.log(JSON.stringify({ trigger: 'polls', outcome }));
}

app.serviceBusQueue('polls', { connection: 'ServiceBusConnection', queueName: '%QUEUE_POLLS%', handler: pollsTrigger });
