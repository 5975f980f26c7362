import type { z } from 'zod';
import { fail, ok, type Issue, type Result } from '../result.js';
import { toIssues } from '../validation.js';
import { bindEvidence, type Alert, type AlertShape } from './alert.js';
import { defenderApiAlertSchema, fromDefenderApiAlert } from './defenderApiAlert.js';
import { fromGraphAlert, graphAlertSchema } from './graphAlert.js';
import { detectItem, detectShape, isObject, type DetectedShape } from './shapes.js';
import { fromStreamingMessage, streamingMessageSchema, type AlertRows } from './streamingRecords.js';

/** What one message on the alerts queue held: the alerts it carries and any it carries that cannot be used. */
export interface AlertBatch {
  shape: AlertShape | 'collection' | 'incidents';
  alerts: Alert[];
  /** For each of `alerts`, at the same index, a message body that carries that alert alone (to send it again by itself). */
  bodies: unknown[];
  /** Alerts of a multi-alert message that are malformed, each with its own part of the message. */
  rejected: RejectedAlert[];
  /** Streaming records of tables other than AlertInfo/AlertEvidence. */
  ignoredRecords: number;
  /** Streaming records only: the rows of each valid alert, for the intake to assemble with rows of other messages. */
  streamed?: AlertRows[];
}

export interface RejectedAlert {
  alertId?: string;
  issues: Issue[];
  body: unknown;
}

/** The issue path of a payload whose shape is not accepted; its message starts `unsupported shape: `. */
export const SHAPE_PATH = '(shape)';

/** Whether issues say the payload is of a shape the responder does not take (rather than a malformed alert of one it does). */
export function isUnsupportedShape(issues: readonly Issue[]): boolean {
  return issues.length === 1 && (issues[0]?.path.endsWith(SHAPE_PATH) ?? false);
}

/**
 * Turns a message body into Alerts, or says precisely why it cannot.
 * Accepted: a Defender API alert, a Graph alerts_v2 alert, streaming API
 * records (`{records: [...]}`, or records without the envelope; several
 * alerts possible), a collection page of either alert kind (`{value: [...]}`),
 * or Graph incidents with their alerts expanded (the alerts are taken). A
 * payload of another shape (a legacy Graph alert, an incident without its
 * alerts, unrelated JSON) fails as `unsupported shape: <what it looked
 * like>` (see shapes.ts). A message whose envelope is unusable fails as a
 * whole; within a multi-alert message, a malformed alert is rejected alone.
 * Evidence that names no device is bound to the alert's device when it has
 * exactly one.
 */
export function parseAlerts(body: unknown): Result<AlertBatch> {
  const json = typeof body === 'string' ? tryJson(body) : ok(body);
  if (!json.ok) return fail([{ path: '(body)', message: 'not valid JSON' }]);
  const parsed = parseDetected(detectShape(json.value), json.value);
  return parsed.ok ? ok({ ...parsed.value, alerts: parsed.value.alerts.map(bindEvidence) }) : parsed;
}

function parseDetected(shape: DetectedShape, value: unknown): Result<AlertBatch> {
  switch (shape.kind) {
    case 'unsupported':
      return fail([{ path: SHAPE_PATH, message: `unsupported shape: ${shape.lookedLike}` }]);
    case 'streaming':
      return parseStreaming(shape.records);
    case 'collection':
      return parseItems(shape.items, 'collection', 'value');
    case 'incidents':
      return parseItems(shape.alerts, 'incidents', 'alerts');
    default: {
      const single = parseSingle(value, '');
      return single.ok
        ? ok({ shape: single.value.source, alerts: [single.value], bodies: [value], rejected: [], ignoredRecords: 0 })
        : single;
    }
  }
}

/** Each item of a collection page (an incident item gives its alerts), each parsed on its own. */
function parseItems(items: unknown[], shape: 'collection' | 'incidents', field: string): Result<AlertBatch> {
  if (items.length === 0)
    return fail([{ path: field, message: `an empty ${shape === 'incidents' ? 'list of alerts' : 'collection'} carries no alert` }]);
  const expanded = items.flatMap((item, i) => {
    const detected = detectItem(item);
    return detected.kind === 'incidents'
      ? detected.alerts.map((alert, j) => ({ item: alert, prefix: `${field}.${i}.alerts.${j}.` }))
      : [{ item, prefix: `${field}.${i}.` }];
  });
  const results = expanded.map(({ item, prefix }) => ({ item, result: parseSingle(item, prefix) }));
  return ok({
    shape,
    alerts: results.flatMap((r) => (r.result.ok ? [r.result.value] : [])),
    bodies: results.flatMap((r) => (r.result.ok ? [r.item] : [])),
    rejected: results.flatMap((r) => (r.result.ok ? [] : [{ alertId: idOf(r.item), issues: r.result.errors, body: r.item }])),
    ignoredRecords: 0,
  });
}

/** Streaming records (with or without their envelope), each alert of them as if all its rows had arrived. */
function parseStreaming(records: unknown): Result<AlertBatch> {
  const parsed = streamingMessageSchema.safeParse({ records });
  if (!parsed.success) return fail(toIssues(parsed.error));
  const { alerts, groups, ignored } = fromStreamingMessage(parsed.data);
  if (alerts.length === 0)
    return fail([{ path: 'records', message: `no AlertInfo or AlertEvidence record (${ignored} record(s) of other tables)` }]);
  return ok({
    shape: 'streaming',
    alerts: alerts.flatMap((a) => (a.result.ok ? [a.result.value] : [])),
    bodies: alerts.flatMap((a) => (a.result.ok ? [{ records: a.records }] : [])),
    rejected: alerts.flatMap((a) => (a.result.ok ? [] : [{ alertId: a.alertId, issues: a.result.errors, body: { records: a.records } }])),
    ignoredRecords: ignored,
    streamed: groups.flatMap((g) => (g.issues.length === 0 && g.alertId !== undefined ? [{ alertId: g.alertId, rows: g.rows }] : [])),
  });
}

/** One alert: the message must hold exactly one, and it must be valid. */
export function parseAlert(body: unknown): Result<Alert> {
  const batch = parseAlerts(body);
  if (!batch.ok) return batch;
  const [first, ...others] = batch.value.alerts;
  if (batch.value.rejected.length > 0) return fail(batch.value.rejected.flatMap((r) => r.issues));
  if (!first || others.length > 0) return fail([{ path: '(body)', message: `expected one alert, found ${batch.value.alerts.length}` }]);
  return ok(first);
}

function parseSingle(value: unknown, prefix: string): Result<Alert> {
  const shape = detectItem(value);
  if (shape.kind === 'graph-v2') return parseWith(graphAlertSchema, value, prefix, fromGraphAlert);
  if (shape.kind === 'defender-api') return parseWith(defenderApiAlertSchema, value, prefix, fromDefenderApiAlert);
  const lookedLike = shape.kind === 'unsupported' ? shape.lookedLike : 'a Microsoft Graph incident inside an incident';
  return fail([{ path: prefix ? `${prefix}${SHAPE_PATH}` : SHAPE_PATH, message: `unsupported shape: ${lookedLike}` }]);
}

function parseWith<S extends z.ZodType>(schema: S, value: unknown, prefix: string, convert: (data: z.infer<S>) => Alert): Result<Alert> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) return fail(toIssues(parsed.error).map((i) => ({ ...i, path: prefix + i.path })));
  return ok(convert(parsed.data));
}

function idOf(item: unknown): string | undefined {
  return isObject(item) && typeof item.id === 'string' ? item.id.slice(0, 256) : undefined;
}

function tryJson(text: string): Result<unknown, null> {
  try {
    return ok(JSON.parse(text) as unknown);
  } catch {
    return fail(null);
  }
}
