import type { QueueName } from '../bus/queues.js';
import type { DefenderCallKind } from '../defender/port.js';

/**
 * The responder's own metrics: every instrument with its name, unit and
 * description, the one list the OpenTelemetry adapter creates them from and
 * the README's "Logs and metrics" table describes. Attributes are few and
 * bounded (an outcome, a call kind, a queue, a reason): never a run, device
 * or action id, a URL or a token.
 */
export const INSTRUMENTS = {
  liveResponseCalls: {
    type: 'counter',
    name: 'responder.defender.liveresponse.calls',
    unit: '{call}',
    description: 'runliveresponse calls made, by how Defender answered (accepted, throttled, refused, failed)',
  },
  defenderThrottled: {
    type: 'counter',
    name: 'responder.defender.throttled',
    unit: '{response}',
    description: 'Defender API answers with HTTP 429, by call kind',
  },
  pacingLag: {
    type: 'histogram',
    name: 'responder.pacing.lag',
    unit: 'ms',
    description: 'How late a runliveresponse call was made after its booked send slot',
  },
  sessionsInUse: {
    type: 'gauge',
    name: 'responder.pacing.sessions_in_use',
    unit: '{session}',
    description: 'Live Response sessions the tenant-wide pacing ledger holds open',
  },
  statusBudgetLeft: {
    type: 'gauge',
    name: 'responder.pacing.status_budget_left',
    unit: '{call}',
    description: 'Status-class calls left in the tenant-wide budget, by window (minute, hour)',
  },
  waitingLineRuns: {
    type: 'gauge',
    name: 'responder.pacing.waiting_lines.runs',
    unit: '{run}',
    description: 'Runs waiting in a device’s line for a device another of our runs holds, tenant-wide',
  },
  waitingLineDevices: {
    type: 'gauge',
    name: 'responder.pacing.waiting_lines.devices',
    unit: '{device}',
    description: 'Devices with a waiting line (another of our runs holds them), tenant-wide',
  },
  owedNotifications: {
    type: 'gauge',
    name: 'responder.notify.owed',
    unit: '{notification}',
    description:
      'Notifications the notify queue did not take, owed until the reconcile timer queues them (counted up to STATUS_OWED_COUNT_MAX)',
  },
  owedNotificationOldestAge: {
    type: 'gauge',
    name: 'responder.notify.owed_oldest_age',
    unit: 'ms',
    description: 'How long the oldest owed notification counted has been owed (reported only while one is)',
  },
  queueAge: {
    type: 'histogram',
    name: 'responder.queue.age',
    unit: 'ms',
    description: 'How long a message waited in its queue after it became due, when its handling began, by queue',
  },
  evidenceBytes: {
    type: 'counter',
    name: 'responder.evidence.bytes',
    unit: 'By',
    description: 'Bytes of evidence stored (new blobs committed)',
  },
  evidenceThroughput: {
    type: 'histogram',
    name: 'responder.evidence.throughput',
    unit: 'By/s',
    description: 'Bytes per second of each evidence transfer, result link to committed blob',
  },
  deadLetters: {
    type: 'counter',
    name: 'responder.queue.dead_letters',
    unit: '{message}',
    description: 'Messages the responder dead-lettered, by queue and reason',
  },
} as const satisfies Record<string, InstrumentSpec>;

export interface InstrumentSpec {
  type: 'counter' | 'histogram' | 'gauge';
  /** The metric's name as exported (OpenTelemetry style; Application Insights' `customMetrics` name). */
  name: string;
  /** UCUM unit: `ms`, `By`, `By/s`, or a count in braces. */
  unit: string;
  description: string;
}

/** How Defender answered a runliveresponse call: accepted (an action), throttled (429), refused (any other answer), failed (no answer, 5xx). */
export type LiveResponseOutcome = 'accepted' | 'throttled' | 'refused' | 'failed';

type NoAttributes = Record<string, never>;

/** The attributes each instrument takes, typed: what a call site may attach, and nothing else. */
export interface InstrumentAttributes {
  liveResponseCalls: { outcome: LiveResponseOutcome };
  defenderThrottled: { call: DefenderCallKind };
  pacingLag: NoAttributes;
  sessionsInUse: NoAttributes;
  statusBudgetLeft: { window: 'minute' | 'hour' };
  waitingLineRuns: NoAttributes;
  waitingLineDevices: NoAttributes;
  owedNotifications: NoAttributes;
  owedNotificationOldestAge: NoAttributes;
  queueAge: { queue: QueueName };
  evidenceBytes: NoAttributes;
  evidenceThroughput: NoAttributes;
  /** `reason`: the dead letter's short machine-readable reason (see shared/telemetry/meteredBus.ts). */
  deadLetters: { queue: QueueName; reason: string };
}

export type InstrumentKey = keyof typeof INSTRUMENTS;
type KeyOfType<T extends InstrumentSpec['type']> = {
  [K in InstrumentKey]: (typeof INSTRUMENTS)[K]['type'] extends T ? K : never;
}[InstrumentKey];
export type CounterKey = KeyOfType<'counter'>;
export type HistogramKey = KeyOfType<'histogram'>;
export type GaugeKey = KeyOfType<'gauge'>;
