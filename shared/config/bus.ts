import { z } from 'zod';
import { MINUTE_MS } from '../clock.js';
import type { SettingProblem } from '../errors.js';
import { QUEUE_NAMES, queueSetting, type QueueMap, type QueueName } from '../bus/queues.js';
import { int, tableName, type SettingsOf } from './values.js';

/** The message bus, its queues, the delivery contract and the dead letters. */
export const busSettings = {
  BUS_KIND: z.enum(['servicebus', 'storage-queues']).default('servicebus'),
  ServiceBusConnection: z.string().optional(),
  ServiceBusConnection__fullyQualifiedNamespace: z.string().optional(),
  // QUEUE_ALERTS, QUEUE_ACTIONS, ...: one per queue of shared/bus/queues.ts (queueSettings below)
  /** Storage-queue bus: a second send of one message id within this window (responder ms) is dropped, as Service Bus's duplicate detection does (its default window: 10 minutes). 0: off. */
  BUS_DUPLICATE_DETECTION_WINDOW_MS: int(0).default(10 * MINUTE_MS),
  /** Storage-queue bus: where the ids sent within the window are kept (Table Storage, shared by every worker). */
  BUS_SENT_IDS_TABLE: tableName('bussentids'),

  // Delivery contract: expected failures a handler lets escape (shared/bus/settleExpected.ts)
  /** Transient failures of one message (each rescheduled with backoff) before it is dead-lettered with TransientRetriesExhausted. */
  DELIVERY_TRANSIENT_RETRIES: int(0).default(10),
  /** The first transient failure's wait before the message comes back; it doubles with each. */
  DELIVERY_RETRY_BASE_MS: int(1).default(1_000),
  /** The longest wait after a transient failure. */
  DELIVERY_RETRY_MAX_MS: int(1).default(5 * MINUTE_MS),

  // Dead letters (npm run deadletters)
  /** A dead letter's body preview is cut to this many bytes (after redaction). */
  DEADLETTER_PREVIEW_BYTES: int(64)
    .max(64 * 1024)
    .default(2 * 1024),
  /** A list, replay or purge reads at most this many messages of each dead-letter queue. */
  DEADLETTER_SCAN_MAX: int(1).max(100_000).default(1_000),
  ...queueSettings(),
};

/** `QUEUE_<NAME>` for every queue of the one queue table, defaulting to the queue's own name. */
function queueSettings(): { [Q in QueueName as `QUEUE_${Uppercase<Q>}`]: z.ZodDefault<z.ZodString> } {
  // Object.fromEntries cannot carry the key-to-value typing; the mapped type above states it.
  return Object.fromEntries(QUEUE_NAMES.map((q) => [queueSetting(q), z.string().min(1).default(q)])) as {
    [Q in QueueName as `QUEUE_${Uppercase<Q>}`]: z.ZodDefault<z.ZodString>;
  };
}

export type BusConfig =
  | { kind: 'servicebus'; connectionString?: string; fullyQualifiedNamespace?: string; queues: QueueMap }
  | { kind: 'storage-queues'; queues: QueueMap; duplicateDetectionWindowMs: number; sentIdsTable: string };

/** What the delivery contract does with an expected failure a handler lets escape (shared/bus/settleExpected.ts). */
export interface DeliveryConfig {
  transientRetries: number;
  retryBaseMs: number;
  retryMaxMs: number;
}

export interface DeadLettersConfig {
  previewBytes: number;
  scanMax: number;
}

type BusSettings = SettingsOf<typeof busSettings>;

export function busConfig(s: BusSettings): BusConfig {
  const queues = Object.fromEntries(QUEUE_NAMES.map((q) => [q, s[queueSetting(q)]])) as Record<QueueName, string>;
  if (s.BUS_KIND === 'storage-queues') {
    return {
      kind: 'storage-queues',
      queues,
      duplicateDetectionWindowMs: s.BUS_DUPLICATE_DETECTION_WINDOW_MS,
      sentIdsTable: s.BUS_SENT_IDS_TABLE,
    };
  }
  return {
    kind: 'servicebus',
    connectionString: s.ServiceBusConnection,
    fullyQualifiedNamespace: s.ServiceBusConnection__fullyQualifiedNamespace,
    queues,
  };
}

export function deliveryConfig(s: BusSettings): DeliveryConfig {
  return { transientRetries: s.DELIVERY_TRANSIENT_RETRIES, retryBaseMs: s.DELIVERY_RETRY_BASE_MS, retryMaxMs: s.DELIVERY_RETRY_MAX_MS };
}

export function deadLettersConfig(s: BusSettings): DeadLettersConfig {
  return { previewBytes: s.DEADLETTER_PREVIEW_BYTES, scanMax: s.DEADLETTER_SCAN_MAX };
}

/** The chosen bus must be reachable (checked on the raw environment, whatever else is wrong). */
export function busRequired(present: Record<string, string | undefined>): SettingProblem[] {
  const busKind = present.BUS_KIND ?? 'servicebus';
  if (busKind === 'storage-queues' && !present.STORAGE_CONNECTION_STRING && !present.STORAGE_QUEUE_URI)
    return [{ setting: 'STORAGE_QUEUE_URI', message: 'required when BUS_KIND=storage-queues (or STORAGE_CONNECTION_STRING)' }];
  if (busKind === 'servicebus' && !present.ServiceBusConnection && !present.ServiceBusConnection__fullyQualifiedNamespace)
    return [
      { setting: 'ServiceBusConnection__fullyQualifiedNamespace', message: 'required when BUS_KIND=servicebus (or ServiceBusConnection)' },
    ];
  return [];
}
