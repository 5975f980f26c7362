/**
 * Drives handlers from storage queues on the local host, doing what the
 * Functions queue trigger does in Azure: polls each registered queue, runs at
 * most `concurrency` handlers per queue, and settles each message by the
 * policy in queueDelivery.ts (early arrivals, abandon on a throw, poison
 * queue after `maxDeliveryCount`), as the Service Bus trigger settles them. An empty queue is polled again when a message sent in this process
 * becomes visible (see onQueueSend), as a Service Bus receiver is handed a
 * message when it is due, and at the latest every `pollIntervalMs` of wall
 * time (for messages sent by other processes).
 *
 * The lock: a received message stays hidden for `lockSeconds` (default 600,
 * host.json's `maxAutoLockRenewalDuration`: Service Bus locks a message for
 * the queue's lock duration and the trigger renews it up to that). A handler
 * running longer sees its message delivered again, to this or another
 * consumer, with the delivery counted; the first handler's late completion
 * then fails (its pop receipt is stale) and is reported as an `error`
 * event, losing nothing. It writes nothing itself: progress goes to `onEvent`.
 */
import { setMaxListeners } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { onQueueSend, type ReceivedQueueMessage, type StorageQueueMessageBus } from '../shared/azure/storageQueueBus.js';
import type { DeliveryInfo, QueueName } from '../shared/bus/port.js';
import type { Clock, WallDelay } from '../shared/clock.js';
import { describeError } from '../shared/errors.js';
import { processMessage, type ConsumerEvent, type DeliveryPolicy, type QueueHandler } from './queueDelivery.js';

export type { ConsumerEvent, QueueHandler } from './queueDelivery.js';

/** Messages in hand per queue, as a multiple of `concurrency` (most of them waiting out an early arrival). */
const PREFETCH_FACTOR = 8;

export interface QueueConsumerOptions {
  /** Longest wall ms between polls of an empty queue (sends in this process wake it sooner). Default 100. */
  pollIntervalMs?: number;
  /** Handlers running at once per queue. Default 4. */
  concurrency?: number;
  /** The delivery that reaches this count and fails is poisoned. Default 10. */
  maxDeliveryCount?: number;
  /** Wall seconds a received message stays hidden while its handler runs. Default {@link DEFAULT_LOCK_SECONDS}. */
  lockSeconds?: number;
  /** Longest early arrival waited out in process, wall ms. Default 1000. */
  earlyWaitLimitMs?: number;
  /** Default: the bus's clock. */
  clock?: Clock;
  /** Default: the bus's wall delay. */
  wallDelay?: WallDelay;
  onEvent?: (event: ConsumerEvent) => void;
}

/** host.json's `maxAutoLockRenewalDuration` (00:10:00): how long the Functions trigger keeps a message locked. */
export const DEFAULT_LOCK_SECONDS = 600;

export class QueueConsumer {
  private readonly handlers = new Map<QueueName, QueueHandler>();
  private readonly active = new Map<QueueName, number>();
  /** Per queue: its last poll found nothing and nothing of it has finished since. */
  private readonly quiet = new Map<QueueName, boolean>();
  private readonly running = new Set<Promise<void>>();
  private slotWaiters: (() => void)[] = [];
  private idleWaiters: (() => void)[] = [];
  private loops: Promise<void>[] = [];
  private stopper = new AbortController();
  private started = false;
  private readonly policy: DeliveryPolicy;
  private readonly pollIntervalMs: number;
  private readonly concurrency: number;
  private readonly handling = new Map<QueueName, number>();
  /** Per queue: messages past their early-arrival wait, running or waiting for a handler. */
  private readonly committed = new Map<QueueName, number>();
  private handlerWaiters: (() => void)[] = [];
  private readonly lockSeconds: number;
  /** Per queue: wall times at which messages sent in this process become visible, ascending. */
  private readonly due = new Map<QueueName, number[]>();
  /** Per queue waiting idle: brings its next poll forward to a wall time. */
  private readonly wakers = new Map<QueueName, (atWallMs: number) => void>();
  private unsubscribe: () => void = () => undefined;

  constructor(
    private readonly bus: StorageQueueMessageBus,
    options: QueueConsumerOptions = {},
  ) {
    this.pollIntervalMs = options.pollIntervalMs ?? 100;
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    this.lockSeconds = options.lockSeconds ?? DEFAULT_LOCK_SECONDS;
    this.policy = {
      clock: options.clock ?? bus.clock,
      wallDelay: options.wallDelay ?? bus.wallDelay,
      maxDeliveryCount: Math.max(1, options.maxDeliveryCount ?? 10),
      earlyWaitLimitMs: options.earlyWaitLimitMs ?? 1_000,
      emit: options.onEvent ?? (() => undefined),
      running: () => this.started,
      sleep: (wallMs) => this.sleep(wallMs),
    };
  }

  /** Registers the handler for `queue`; only registered queues are polled. */
  register(queue: QueueName, handler: QueueHandler): this {
    if (this.started) throw new Error('register handlers before start()');
    this.handlers.set(queue, handler);
    return this;
  }

  /** Messages being handled (or waited on) right now. */
  get inFlight(): number {
    return this.running.size;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.stopper = new AbortController();
    // Every early arrival waits on this signal; many may wait at once.
    setMaxListeners(0, this.stopper.signal);
    const byName = new Map([...this.handlers.keys()].map((q) => [this.bus.queues[q], q]));
    this.unsubscribe = onQueueSend((storageQueue, visibleAtWallMs) => {
      const queue = byName.get(storageQueue);
      if (queue === undefined) return;
      const due = this.due.get(queue) ?? this.due.set(queue, []).get(queue) ?? [];
      // A queue that is never idle never trims its list here: drop what is long past.
      while (due.length > 0 && (due[0] ?? 0) < Date.now() - 60_000) due.shift();
      insertSorted(due, visibleAtWallMs);
      this.wakers.get(queue)?.(visibleAtWallMs);
    });
    this.loops = [...this.handlers.keys()].map((queue) => this.poll(queue));
  }

  /** Stops polling and waits for running handlers to finish (early waits re-hide their message). */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.unsubscribe();
    this.stopper.abort();
    this.wakeSlots();
    await Promise.all(this.loops);
    await Promise.all([...this.running]);
    this.releaseIdle();
  }

  /**
   * Resolves once nothing is running and every registered queue was just
   * found empty. Messages still hidden (scheduled, backing off) do not count.
   * Resolves at once when the consumer is not started.
   */
  idle(): Promise<void> {
    if (!this.started) return Promise.resolve();
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.checkIdle();
    });
  }

  private async poll(queue: QueueName): Promise<void> {
    while (this.started) {
      // Take only what free handlers can run now, as a Service Bus receiver without prefetch does, so
      // that another instance gets the rest; messages waiting out an early arrival do not count
      // (a few times more of them may be in hand).
      const inHand = this.active.get(queue) ?? 0;
      const free = Math.min(this.concurrency * PREFETCH_FACTOR - inHand, this.concurrency - (this.committed.get(queue) ?? 0));
      if (free <= 0) {
        await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
        continue;
      }
      let batch: ReceivedQueueMessage[] = [];
      const polledAtWallMs = Date.now();
      try {
        batch = await this.bus.receive(queue, free, this.lockSeconds);
      } catch (error) {
        this.policy.emit({ type: 'error', queue, error: describeError(error) });
      }
      this.quiet.set(queue, batch.length === 0 && (this.active.get(queue) ?? 0) === 0);
      for (const message of batch) this.track(queue, message);
      this.checkIdle();
      if (batch.length === 0) await this.idleWait(queue, polledAtWallMs);
    }
  }

  /** Until the next message sent in this process becomes visible, or `pollIntervalMs` at most. */
  private idleWait(queue: QueueName, polledAtWallMs: number): Promise<void> {
    const due = this.due.get(queue) ?? [];
    // Whatever was visible when we polled was taken already (or by another consumer).
    while (due.length > 0 && (due[0] ?? 0) <= polledAtWallMs) due.shift();
    if (this.stopper.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      let deadline = Number.POSITIVE_INFINITY;
      const finish = (): void => {
        clearTimeout(timer);
        this.wakers.delete(queue);
        this.stopper.signal.removeEventListener('abort', finish);
        resolve();
      };
      const wakeAt = (atWallMs: number): void => {
        if (atWallMs >= deadline) return;
        deadline = atWallMs;
        clearTimeout(timer);
        timer = setTimeout(finish, Math.max(0, atWallMs - Date.now()));
      };
      wakeAt(Date.now() + this.pollIntervalMs);
      if (due[0] !== undefined) wakeAt(due[0]);
      this.wakers.set(queue, wakeAt);
      this.stopper.signal.addEventListener('abort', finish, { once: true });
    });
  }

  private track(queue: QueueName, message: ReceivedQueueMessage): void {
    const handler = this.handlers.get(queue);
    if (!handler) return;
    this.active.set(queue, (this.active.get(queue) ?? 0) + 1);
    // A message due now is committed to a handler from the moment it is received; an early one once its wait is over.
    const notBeforeMs = message.envelope?.notBeforeMs;
    let committed = notBeforeMs === undefined || notBeforeMs <= this.policy.clock.nowMs();
    if (committed) this.committed.set(queue, (this.committed.get(queue) ?? 0) + 1);
    const uncommit = (): void => {
      if (!committed) return;
      committed = false;
      this.committed.set(queue, (this.committed.get(queue) ?? 1) - 1);
    };
    const gated = async (body: unknown, delivery: DeliveryInfo): Promise<void> => {
      if (!committed) {
        committed = true;
        this.committed.set(queue, (this.committed.get(queue) ?? 0) + 1);
      }
      try {
        await this.acquireHandler(queue);
        try {
          await handler(body, delivery);
        } finally {
          this.releaseHandler(queue);
        }
      } finally {
        uncommit();
      }
    };
    const run: Promise<void> = processMessage(this.bus, message, gated, this.policy)
      // A failed delete/update/poison send: the message reappears when its lock lapses.
      .catch((error: unknown) => this.policy.emit({ type: 'error', queue, error: describeError(error) }))
      .finally(() => {
        uncommit();
        this.running.delete(run);
        this.active.set(queue, (this.active.get(queue) ?? 1) - 1);
        this.quiet.set(queue, false);
        this.wakeSlots();
      });
    this.running.add(run);
  }

  /** At most `concurrency` handlers run per queue; early arrivals wait without taking a place. */
  private async acquireHandler(queue: QueueName): Promise<void> {
    while ((this.handling.get(queue) ?? 0) >= this.concurrency) {
      await new Promise<void>((resolve) => this.handlerWaiters.push(resolve));
    }
    this.handling.set(queue, (this.handling.get(queue) ?? 0) + 1);
  }

  private releaseHandler(queue: QueueName): void {
    this.handling.set(queue, (this.handling.get(queue) ?? 1) - 1);
    const waiters = this.handlerWaiters;
    this.handlerWaiters = [];
    for (const wake of waiters) wake();
  }

  private async sleep(wallMs: number): Promise<void> {
    await delay(wallMs, undefined, { signal: this.stopper.signal }).catch(() => undefined);
  }

  private wakeSlots(): void {
    const waiters = this.slotWaiters;
    this.slotWaiters = [];
    for (const wake of waiters) wake();
  }

  private checkIdle(): void {
    const quiet = [...this.handlers.keys()].every((q) => this.quiet.get(q) === true);
    if (quiet && this.running.size === 0) this.releaseIdle();
  }

  private releaseIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

function insertSorted(values: number[], value: number): void {
  const at = values.findIndex((v) => v > value);
  if (at === -1) values.push(value);
  else values.splice(at, 0, value);
}
