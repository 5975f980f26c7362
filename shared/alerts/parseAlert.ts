import type { z } from 'zod';
import { fail, ok, type Issue, type Result } from '../result.js';
import { toIssues } from '../validation.js';
import type { Alert, AlertShape } from './alert.js';
import { defenderApiAlertSchema, fromDefenderApiAlert } from './defenderApiAlert.js';
import { fromGraphAlert, GRAPH_ALERT_TYPE, graphAlertSchema } from './graphAlert.js';
import { fromStreamingMessage, streamingMessageSchema, streamingRecordsOf, type AlertRows } from './streamingRecords.js';

/** What one message on the alerts queue held: the alerts it carries and any it carries that cannot be used. */
export interface AlertBatch {
  shape: AlertShape | 'collection';
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

/**
 * Turns a message body into Alerts, or says precisely why it cannot.
 * Accepted: a Defender API alert, a Graph alerts_v2 alert, streaming API
 * records (`{records: [...]}`, bare records or an array of them; several alerts possible), or a collection
 * page of either alert kind (`{value: [...]}`). A message whose envelope is
 * unusable fails as a whole; within a multi-alert message, a malformed alert
 * is rejected alone.
 */
export function parseAlerts(body: unknown): Result<AlertBatch> {
  const json = typeof body === 'string' ? tryJson(body) : ok(body);
  if (!json.ok) return fail([{ path: '(body)', message: 'not valid JSON' }]);
  const value = json.value;
  const records = streamingRecordsOf(value);
  if (records !== undefined) return parseStreaming(records);
  if (!isObject(value))
    return fail([{ path: '(body)', message: 'expected a JSON object (an alert, {"records": [...]} or {"value": [...]})' }]);
  if (Array.isArray(value.value)) {
    const items = value.value as unknown[];
    if (items.length === 0) return fail([{ path: 'value', message: 'an empty collection carries no alert' }]);
    const results = items.map((item, i) => ({ item, result: parseSingle(item, `value.${i}.`) }));
    return ok({
      shape: 'collection',
      alerts: results.flatMap((r) => (r.result.ok ? [r.result.value] : [])),
      bodies: results.flatMap((r) => (r.result.ok ? [r.item] : [])),
      rejected: results.flatMap((r) => (r.result.ok ? [] : [{ alertId: idOf(r.item), issues: r.result.errors, body: r.item }])),
      ignoredRecords: 0,
    });
  }
  const single = parseSingle(value, '');
  return single.ok ? ok({ shape: single.value.source, alerts: [single.value], bodies: [value], rejected: [], ignoredRecords: 0 }) : single;
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
  if (!isObject(value)) return fail([{ path: prefix ? prefix.slice(0, -1) : '(body)', message: 'expected an alert object' }]);
  const type = value['@odata.type'];
  if (type !== undefined && type !== GRAPH_ALERT_TYPE) {
    return fail([
      {
        path: `${prefix}@odata.type`,
        message: `${JSON.stringify(typeof type === 'string' ? type : typeof type).slice(0, 80)} is not an alert (expected ${GRAPH_ALERT_TYPE})`,
      },
    ]);
  }
  if (
    type === GRAPH_ALERT_TYPE ||
    (!('machineId' in value) && ('createdDateTime' in value || 'serviceSource' in value || 'providerAlertId' in value))
  ) {
    return parseWith(graphAlertSchema, value, prefix, fromGraphAlert);
  }
  // Anything else is read as the Defender API alert, so its errors name the fields it lacks.
  return parseWith(defenderApiAlertSchema, value, prefix, fromDefenderApiAlert);
}

function parseWith<S extends z.ZodType>(schema: S, value: unknown, prefix: string, convert: (data: z.infer<S>) => Alert): Result<Alert> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) return fail(toIssues(parsed.error).map((i) => ({ ...i, path: prefix + i.path })));
  return ok(convert(parsed.data));
}

function idOf(item: unknown): string | undefined {
  return isObject(item) && typeof item.id === 'string' ? item.id.slice(0, 256) : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function tryJson(text: string): Result<unknown, null> {
  try {
    return ok(JSON.parse(text) as unknown);
  } catch {
    return fail(null);
  }
}
