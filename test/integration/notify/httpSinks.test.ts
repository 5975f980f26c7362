import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../shared/config.js';
import { createServices, type Services } from '../../../shared/services/index.js';
import { fakeDeps } from '../../helpers/fakes.js';
import { startLoopbackReceiver, type LoopbackReceiver } from '../../helpers/loopbackReceiver.js';
import { makeRun } from '../../helpers/runRecords.js';

const SECRET = 'loopback-secret-0123456789abcdef0123456789';
const RUN = 'm-0123456789abcdef0123';

let receiver: LoopbackReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

function setUp(sink: Record<string, string>) {
  const config = loadConfig({
    STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
    BUS_KIND: 'storage-queues',
    DELIVERY_RETRY_BASE_MS: '1000',
    DELIVERY_TRANSIENT_RETRIES: '3',
    ...sink,
  });
  const deps = fakeDeps({ config });
  return { deps, services: createServices(deps) };
}

/** Delivers every notify message, rescheduled copies included (the clock moved to each one's time), until none is left. */
async function drainNotify(deps: ReturnType<typeof setUp>['deps'], services: Services): Promise<unknown[]> {
  const outcomes: unknown[] = [];
  for (let message = deps.bus.take('notify')[0]; message; message = deps.bus.take('notify')[0]) {
    if (message.notBeforeMs !== undefined && message.notBeforeMs > deps.clock.nowMs()) deps.clock.set(message.notBeforeMs);
    outcomes.push(await services.notify(message.body, { messageId: message.messageId, deliveryCount: 1, properties: message.properties }));
  }
  return outcomes;
}

/** A run with no device to run on ends when it is recorded: its run-ended notification is queued. */
async function endARun(services: Services): Promise<void> {
  await services.deps.runs.createRun(
    { ...makeRun(RUN, []), trigger: { kind: 'manual', requestedBy: 'ana@contoso.com', reason: 'INC-7' } },
    [],
  );
}

describe('the generic webhook, against a loopback receiver', () => {
  it('is delivered once, after retries, to a receiver that fails twice, every attempt signed and carrying one delivery id', async () => {
    receiver = await startLoopbackReceiver([503, 500, 204]);
    const { deps, services } = setUp({ NOTIFY_WEBHOOK_URL: receiver.url, NOTIFY_WEBHOOK_SECRET: SECRET });

    await endARun(services);
    const outcomes = await drainNotify(deps, services);

    expect(receiver.received.map((r) => r.status)).toEqual([503, 500, 204]);
    expect(outcomes.map((o) => (o as { kind: string }).kind)).toEqual(['rescheduled', 'rescheduled', 'delivered']);
    expect(new Set(receiver.received.map((r) => r.headers['x-responder-delivery']))).toEqual(new Set([`notify.webhook.run-ended.${RUN}`]));
    const accepted = receiver.received[2];
    const timestamp = String(accepted?.headers['x-responder-timestamp']);
    const signature = createHmac('sha256', SECRET)
      .update(`${timestamp}.${accepted?.body ?? ''}`)
      .digest('hex');
    expect(accepted?.headers['x-responder-signature']).toBe(`sha256=${signature}`);
    expect(JSON.parse(accepted?.body ?? '{}')).toMatchObject({ kind: 'run-ended', run: { runId: RUN, trigger: { reason: 'INC-7' } } });
    expect(deps.bus.deadLettered).toEqual([]);
  });

  it('ends dead-lettered on the notify queue with its reason when the receiver always fails', async () => {
    receiver = await startLoopbackReceiver([500]);
    const { deps, services } = setUp({ NOTIFY_WEBHOOK_URL: receiver.url, NOTIFY_WEBHOOK_SECRET: SECRET });

    await endARun(services);
    await drainNotify(deps, services);

    expect(receiver.received).toHaveLength(4);
    expect(deps.bus.deadLettered.map((d) => [d.queue, d.reason.reason, d.reason.description])).toEqual([
      ['notify', 'TransientRetriesExhausted', expect.stringContaining('the webhook answered HTTP 500')],
    ]);
    expect(JSON.stringify(deps.bus.deadLettered)).not.toContain(receiver.url);
  });

  it('is dead-lettered at once when the receiver refuses it (a 4xx)', async () => {
    receiver = await startLoopbackReceiver([401]);
    const { deps, services } = setUp({ NOTIFY_WEBHOOK_URL: receiver.url, NOTIFY_WEBHOOK_SECRET: SECRET });

    await endARun(services);
    await drainNotify(deps, services);

    expect(receiver.received).toHaveLength(1);
    expect(deps.bus.deadLettered.map((d) => [d.queue, d.reason.reason, d.reason.description])).toEqual([
      ['notify', 'SinkRefusedError', 'SinkRefusedError: the webhook answered HTTP 401'],
    ]);
  });
});

describe('the Teams workflow, against a loopback receiver', () => {
  it('gets one Adaptive Card message, after retries, from a receiver that fails twice', async () => {
    receiver = await startLoopbackReceiver([502, 429, 202]);
    const { deps, services } = setUp({ NOTIFY_TEAMS_WORKFLOW_URL: receiver.url });

    await endARun(services);
    const outcomes = await drainNotify(deps, services);

    expect(outcomes.map((o) => (o as { kind: string }).kind)).toEqual(['rescheduled', 'rescheduled', 'delivered']);
    const card = JSON.parse(receiver.received[2]?.body ?? '{}') as { type: string; attachments: { contentType: string }[] };
    expect(card.type).toBe('message');
    expect(card.attachments[0]?.contentType).toBe('application/vnd.microsoft.card.adaptive');
  });

  it('ends dead-lettered with its reason when the workflow always fails', async () => {
    receiver = await startLoopbackReceiver([503]);
    const { deps, services } = setUp({ NOTIFY_TEAMS_WORKFLOW_URL: receiver.url });

    await endARun(services);
    await drainNotify(deps, services);

    expect(deps.bus.deadLettered.map((d) => [d.queue, d.reason.reason])).toEqual([['notify', 'TransientRetriesExhausted']]);
    expect(deps.bus.deadLettered[0]?.reason.description).toContain('the Teams workflow answered HTTP 503');
  });
});
