import { app, type InvocationContext } from '@azure/functions';
import { services } from '../shared/appServices.js';
import './lib/azureServices.js';
import { deliveryOf } from './lib/delivery.js';

/** Collect queue: stream one command's result into evidence storage. */
export async function collectTrigger(message: unknown, context: InvocationContext): Promise<void> {
  const outcome = await (await services()).collect(message, deliveryOf(context));
  context.log(JSON.stringify({ trigger: 'collect', outcome }));
}

app.serviceBusQueue('collect', { connection: 'ServiceBusConnection', queueName: '%QUEUE_COLLECT%', handler: collectTrigger });
