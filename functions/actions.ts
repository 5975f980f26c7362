import { app, type InvocationContext } from '@azure/functions';
import { services } from '../shared/appServices.js';
import './lib/azureServices.js';
import { deliveryOf } from './lib/delivery.js';

/** Actions queue: submit one device's Live Response commands when pacing admits it. */
export async function actionsTrigger(message: unknown, context: InvocationContext): Promise<void> {
  const outcome = await (await services()).actions(message, deliveryOf(context));
  context.log(JSON.stringify({ trigger: 'actions', outcome }));
}

app.serviceBusQueue('actions', { connection: 'ServiceBusConnection', queueName: '%QUEUE_ACTIONS%', handler: actionsTrigger });
