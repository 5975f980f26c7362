/**
 * TEST DOUBLE, NOT A BROKER. A small in-memory AMQP 1.0 listener built with
 * rhea that answers just enough of the Service Bus protocol for the real
 * `@azure/service-bus` client to send, schedule, cancel and receive:
 *
 * - SASL ANONYMOUS/PLAIN with any credentials; `$cbs` put-token always answers
 *   `status-code: 202` (tokens are recorded, never checked);
 * - `<entity>/$management`: `com.microsoft:schedule-message` (request body
 *   `{messages: [{message: <AMQP-encoded message>, 'message-id'}]}`, answer
 *   `{'sequence-numbers': long[]}`), `com.microsoft:cancel-scheduled-message`
 *   (request `{'sequence-numbers': long[]}`), `com.microsoft:renew-lock` (a live
 *   lock is extended; an expired one answers 410 message-lock-lost) and
 *   `com.microsoft:peek-message` (request `{'from-sequence-number': long,
 *   'message-count': int}`, answer `{messages: [{message: <AMQP-encoded>}]}`,
 *   or status 204 when there is none);
 *   answers carry `statusCode` in application properties, as Service Bus does
 *   (the `$cbs` answer uses `status-code`), and go to the link whose name
 *   (`$cbs`) or target address (`$management`) is the request's reply-to;
 * - queue addresses: see {@link BrokerStore} (transfers stored, schedules held
 *   until their wall time, peekLock deliveries settled when the client does,
 *   each queue's `<queue>/$DeadLetterQueue`).
 *
 * Tests read {@link AmqpBrokerDouble.messages} to assert.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo, Server, Socket } from 'node:net';
import rhea from 'rhea';
import type { Connection, Container, EventContext, Message, Sender } from 'rhea';
import {
  BrokerStore,
  DEAD_LETTER_SUFFIX,
  lockTokenText,
  record,
  type BrokerMessageRecord,
  type BrokerStoreOptions,
} from './amqpBrokerStore.js';

export type { BrokerMessageRecord, BrokerMessageState } from './amqpBrokerStore.js';

export interface AmqpBrokerOptions extends BrokerStoreOptions {
  /** Known queue addresses; attaching to another address fails with `amqp:not-found`. Omitted: any address. */
  queues?: readonly string[];
}

const MANAGEMENT = '/$management';

/** rhea types `sasl_server_mechanisms` as `any`; these are two methods of its default mechanisms object. */
interface ServerMechanisms {
  enable_anonymous(): void;
  enable_plain(check: (username: string, password: string) => boolean): void;
}

export class AmqpBrokerDouble {
  readonly cbsTokens: { audience: string; type: string }[] = [];
  private readonly store: BrokerStore;
  private readonly connections = new Set<Connection>();
  private readonly sockets = new Set<Socket>();
  private readonly injected: { queue: string; condition: string; remaining: number }[] = [];

  private constructor(
    private readonly server: Server,
    container: Container,
    private readonly options: AmqpBrokerOptions,
  ) {
    this.store = new BrokerStore((queue) => this.consumersOf(queue), options);
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    container.on('connection_open', (ctx: EventContext) => this.connections.add(ctx.connection));
    container.on('disconnected', (ctx: EventContext) => this.forget(ctx.connection));
    container.on('connection_close', (ctx: EventContext) => this.forget(ctx.connection));
    container.on('sender_open', (ctx: EventContext) => this.onAttach(ctx, 'sender'));
    container.on('receiver_open', (ctx: EventContext) => this.onAttach(ctx, 'receiver'));
    container.on('message', (ctx: EventContext) => this.onMessage(ctx));
    container.on('sendable', (ctx: EventContext) => this.pumpFor(ctx.sender));
    container.on('sender_draining', (ctx: EventContext) => {
      this.pumpFor(ctx.sender);
      ctx.sender?.set_drained(true); // the SDK drains credit after receiveMessages' wait
    });
    container.on('accepted', (ctx: EventContext) => this.store.settle(ctx.delivery, 'completed'));
    container.on('rejected', (ctx: EventContext) => this.store.settle(ctx.delivery, 'dead-lettered'));
    container.on('released', (ctx: EventContext) => this.store.settle(ctx.delivery, 'ready')); // also 'modified' (abandon)
    container.on('sender_close', (ctx: EventContext) => this.store.unlock((sender) => sender === ctx.sender));
    container.on('error', () => undefined); // a client vanishing mid-test is not the double's concern
  }

  /** Listens on 127.0.0.1, on a port the OS picks. */
  static async start(options: AmqpBrokerOptions = {}): Promise<AmqpBrokerDouble> {
    const container = rhea.create_container({ id: `sb-double-${randomUUID()}`, autoaccept: false });
    const mechanisms = container.sasl_server_mechanisms as ServerMechanisms;
    mechanisms.enable_anonymous();
    mechanisms.enable_plain(() => true);
    const server = container.listen({ port: 0, host: '127.0.0.1' });
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
    return new AmqpBrokerDouble(server, container, options);
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** A connection string the real ServiceBusClient accepts: plain AMQP (no TLS) to this double. */
  get connectionString(): string {
    return `Endpoint=sb://127.0.0.1:${this.port};SharedAccessKeyName=k;SharedAccessKey=v;UseDevelopmentEmulator=true`;
  }

  /** Sends dropped by duplicate detection, in arrival order. */
  get duplicatesDropped(): readonly { queue: string; messageId: string }[] {
    return this.store.duplicatesDropped;
  }

  /** Every message the double stored, in arrival order. */
  get messages(): readonly BrokerMessageRecord[] {
    return this.store.messages;
  }

  messagesIn(queue: string): BrokerMessageRecord[] {
    return this.store.messages.filter((m) => m.queue === queue);
  }

  /** The next `count` transfers to `queue` are rejected with this AMQP error condition. */
  failNextTransfers(queue: string, condition: string, count = 1): void {
    this.injected.push({ queue, condition, remaining: count });
  }

  /** Polls until `predicate` holds; fails after `timeoutMs` of wall time. */
  async waitFor(predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`AMQP broker double: condition not met within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async close(): Promise<void> {
    this.store.close();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private forget(connection: Connection): void {
    this.connections.delete(connection);
    this.store.unlock((sender) => sender.connection === connection);
  }

  private consumersOf(queue: string): Sender[] {
    const found: Sender[] = [];
    for (const connection of this.connections) {
      connection.each_sender(
        (s: Sender) => found.push(s),
        (s: Sender) => s.source?.address === queue && s.is_open(),
      );
    }
    return found;
  }

  private onAttach(ctx: EventContext, role: 'sender' | 'receiver'): void {
    const link = role === 'sender' ? ctx.sender : ctx.receiver;
    if (!link) return;
    link.set_source(link.source); // echo the peer's termini in our attach
    link.set_target(link.target);
    const address = (role === 'sender' ? link.source?.address : link.target?.address) ?? '';
    const entity = address.endsWith(DEAD_LETTER_SUFFIX) ? address.slice(0, -DEAD_LETTER_SUFFIX.length) : address;
    if (isControl(address) || !this.options.queues || this.options.queues.includes(entity)) {
      this.pumpFor(ctx.sender);
      return;
    }
    link.close({ condition: 'amqp:not-found', description: `The messaging entity '${address}' could not be found.` });
  }

  private onMessage(ctx: EventContext): void {
    const { receiver, delivery, message } = ctx;
    if (!receiver || !delivery || !message) return;
    const address = receiver.target?.address ?? '';
    const failure = this.injected.find((f) => f.queue === address && f.remaining > 0);
    if (failure) {
      failure.remaining -= 1;
      delivery.reject({ condition: failure.condition, description: 'failure injected by the AMQP broker double' });
      return;
    }
    delivery.accept();
    if (address === '$cbs') {
      const props = record(message.application_properties);
      this.cbsTokens.push({ audience: String(props.name), type: String(props.type) });
      this.reply(ctx, message, { 'status-code': 202, 'status-description': 'Accepted' });
    } else if (address.endsWith(MANAGEMENT)) {
      this.onManagement(ctx, address.slice(0, -MANAGEMENT.length), message);
    } else {
      this.store.accept(address, message, 'transfer');
    }
  }

  private onManagement(ctx: EventContext, queue: string, request: Message): void {
    const operation = String(record(request.application_properties).operation);
    const body = record(request.body);
    if (operation === 'com.microsoft:schedule-message') {
      // Each entry carries a whole AMQP-encoded message. rhea types decode() with its codec's
      // Message, structurally the same as the event's Message.
      const decode = (bytes: Buffer): Message => rhea.message.decode(bytes) as unknown as Message;
      const entries = (body.messages ?? []) as { message: Buffer }[];
      const numbers = entries.map((entry) => this.store.accept(queue, decode(entry.message), 'schedule-message'));
      this.reply(ctx, request, { statusCode: 200 }, { 'sequence-numbers': rhea.types.wrap_array(numbers, 0x81, undefined) });
    } else if (operation === 'com.microsoft:cancel-scheduled-message') {
      // The SDK sends an AMQP array of longs; rhea reads each as a number (a Buffer above 2^53).
      for (const n of (body['sequence-numbers'] ?? []) as unknown[]) {
        this.store.cancel(Buffer.isBuffer(n) ? Number(n.readBigInt64BE()) : Number(n));
      }
      this.reply(ctx, request, { statusCode: 200 });
    } else if (operation === 'com.microsoft:peek-message') {
      const from = body['from-sequence-number'];
      const fromSequence = Buffer.isBuffer(from) ? Number(from.readBigInt64BE()) : Number(from);
      const found = this.store.peek(queue, fromSequence, Number(body['message-count'] ?? 1));
      if (found.length === 0) this.reply(ctx, request, { statusCode: 204 });
      else this.reply(ctx, request, { statusCode: 200 }, { messages: found.map((m) => ({ message: rhea.message.encode(m) })) });
    } else if (operation === 'com.microsoft:renew-lock') {
      const expirations = this.store.renew(((body['lock-tokens'] ?? []) as unknown[]).map(lockTokenText));
      if (expirations) this.reply(ctx, request, { statusCode: 200 }, { expirations });
      else
        this.reply(ctx, request, {
          statusCode: 410,
          errorCondition: 'com.microsoft:message-lock-lost',
          statusDescription: 'The lock supplied is invalid.',
        });
    } else {
      this.reply(ctx, request, { statusCode: 501, statusDescription: `${operation} is not implemented by the test double` });
    }
  }

  private reply(ctx: EventContext, request: Message, properties: Record<string, unknown>, body?: unknown): void {
    const replyTo = request.reply_to;
    const sender = ctx.connection.find_sender((s: Sender) => s.name === replyTo || s.target?.address === replyTo);
    sender?.send({ correlation_id: request.message_id, to: replyTo, application_properties: properties, body });
  }

  private pumpFor(sender: Sender | undefined): void {
    const address = sender?.source?.address;
    if (address && !isControl(address)) this.store.pump(address);
  }
}

function isControl(address: string): boolean {
  return address === '$cbs' || address.endsWith(MANAGEMENT);
}
