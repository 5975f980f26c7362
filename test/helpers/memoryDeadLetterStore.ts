/**
 * The dead-letter store in memory, for unit tests of the services. Held to
 * the adapters by test/contracts/deadLetterStore.contract.ts.
 */
import {
  bodyPreview,
  deadLetterId,
  locationOrder,
  matchesFilter,
  parseDeadLetterId,
  replayMessageId,
} from '../../shared/bus/deadLetterEntry.js';
import type {
  DeadLetterEntry,
  DeadLetterFilter,
  DeadLetterListing,
  DeadLetterOutcome,
  DeadLetterPage,
  DeadLetterSource,
  DeadLetterStore,
} from '../../shared/bus/deadLetterStore.js';
import { poisonMessage } from '../../shared/bus/poison.js';
import type { DeadLetterReason, MessageBus, QueueName } from '../../shared/bus/port.js';
import type { Clock } from '../../shared/clock.js';
import { ValidationError } from '../../shared/errors.js';

interface Stored {
  entry: DeadLetterEntry;
  body: unknown;
  sequence: number;
}

export class MemoryDeadLetterStore implements DeadLetterStore {
  private readonly stored = new Map<string, Stored>();
  private nextSequence = 1;

  constructor(
    private readonly bus: MessageBus,
    private readonly clock: Clock,
    private readonly limits = { previewBytes: 2048 },
  ) {}

  /** A message rejected by the responder (`<queue>-poison`). */
  poison(queue: QueueName, body: unknown, reason: DeadLetterReason): string {
    const { messageId } = poisonMessage(queue, body, reason);
    return this.add(queue, 'poison', body, { ...reason, messageId });
  }

  /** A message the broker dead-lettered itself (Service Bus `$DeadLetterQueue`). */
  native(queue: QueueName, body: unknown, messageId: string, reason = 'MaxDeliveryCountExceeded', deliveryCount = 10): string {
    return this.add(queue, 'native', body, { reason, description: '', messageId, originalMessageId: messageId, deliveryCount });
  }

  list(filter: DeadLetterFilter, page: DeadLetterPage): Promise<DeadLetterListing> {
    const all = [...this.stored.values()].sort((a, b) => locationOrder(a.entry) - locationOrder(b.entry) || a.sequence - b.sequence);
    const start = page.after === undefined ? 0 : all.findIndex((s) => s.entry.id === page.after) + 1;
    if (page.after !== undefined && start === 0)
      throw new ValidationError(`after: unknown cursor ${page.after}`, [{ path: 'after', message: `not a page cursor of this store` }]);
    const matching = all.slice(start).filter((s) => matchesFilter(s.entry, filter));
    const shown = matching.slice(0, page.limit).map((s) => s.entry);
    const last = shown[shown.length - 1];
    return Promise.resolve({ entries: shown, ...(matching.length > page.limit && last ? { next: last.id } : {}) });
  }

  async replay(ids: readonly string[]): Promise<DeadLetterOutcome[]> {
    const outcomes: DeadLetterOutcome[] = [];
    for (const id of ids) {
      const found = this.stored.get(id);
      if (!found) {
        outcomes.push({ id, outcome: 'not-found' });
        continue;
      }
      const messageId = replayMessageId(found.entry.messageId, parseDeadLetterId(id)?.key ?? '');
      await this.bus.send(found.entry.queue, { messageId, body: found.body, properties: { replayOf: id } });
      this.stored.delete(id);
      outcomes.push({ id, outcome: 'replayed', replayMessageId: messageId });
    }
    return outcomes;
  }

  purge(ids: readonly string[]): Promise<DeadLetterOutcome[]> {
    return Promise.resolve(ids.map((id) => (this.stored.delete(id) ? { id, outcome: 'purged' } : { id, outcome: 'not-found' })));
  }

  private add(
    queue: QueueName,
    source: DeadLetterSource,
    body: unknown,
    meta: { reason: string; description: string; messageId: string; originalMessageId?: string; deliveryCount?: number },
  ): string {
    const sequence = this.nextSequence++;
    const id = deadLetterId({ queue, source, key: String(sequence) });
    const entry: DeadLetterEntry = {
      id,
      queue,
      source,
      reason: meta.reason,
      description: meta.description,
      messageId: meta.messageId,
      ...(meta.originalMessageId === undefined ? {} : { originalMessageId: meta.originalMessageId }),
      firstSeenMs: this.clock.nowMs(),
      ...(meta.deliveryCount === undefined ? {} : { deliveryCount: meta.deliveryCount }),
      ...bodyPreview(body, this.limits.previewBytes),
    };
    this.stored.set(id, { entry, body, sequence });
    return id;
  }
}
