import { GRAPH_ALERT_TYPE } from './graphAlert.js';
import { isObject } from './json.js';
import { streamingRecordsOf } from './streamingRecords.js';

export { isObject } from './json.js';

/**
 * Explicit shape detection: what a message body is, before any schema reads
 * it, so that a payload of a shape the responder does not take is refused as
 * what it is ("unsupported shape: a legacy Microsoft Graph alert ...") rather
 * than with missing-field errors of a shape it never was.
 */
export type DetectedShape =
  | { kind: 'defender-api' }
  | { kind: 'graph-v2' }
  /** Streaming API records in any wrapping (see streamingRecords.streamingRecordsOf): the records. */
  | { kind: 'streaming'; records: unknown }
  | { kind: 'collection'; items: unknown[] }
  /** A Graph incident (or a page of them) with its alerts expanded: the alerts are taken, the incident is not. */
  | { kind: 'incidents'; alerts: unknown[] }
  | { kind: 'unsupported'; lookedLike: string };

const GRAPH_NS = '#microsoft.graph.';
const LEGACY_GRAPH_ALERT_TYPE = '#microsoft.graph.alert';
const INCIDENT_TYPE = '#microsoft.graph.security.incident';
const GRAPH_V2_FIELDS = ['createdDateTime', 'serviceSource', 'providerAlertId'];
const DEFENDER_API_FIELDS = ['machineId', 'alertCreationTime', 'lastEventTime', 'computerDnsName', 'investigationState'];

/** The shape of a parsed JSON body. */
export function detectShape(value: unknown): DetectedShape {
  const records = streamingRecordsOf(value);
  if (records !== undefined) return { kind: 'streaming', records };
  if (Array.isArray(value)) {
    return unsupported(`a JSON array of ${value.length} item(s) (alerts come one by one, as {"value": [...]} or as {"records": [...]})`);
  }
  if (!isObject(value)) return unsupported(`a JSON ${value === null ? 'null' : typeof value}, not an object`);
  if (Array.isArray(value.value)) return detectCollection(value.value as unknown[]);
  return detectItem(value);
}

/** One item of a collection page, or a single object: an alert of an accepted shape, an incident, or what it looked like. */
export function detectItem(value: unknown): Exclude<DetectedShape, { kind: 'streaming' | 'collection' }> {
  if (!isObject(value))
    return unsupported(`a JSON ${Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value}, not an object`);
  const type = value['@odata.type'];
  if (type === GRAPH_ALERT_TYPE) return { kind: 'graph-v2' };
  if (type === LEGACY_GRAPH_ALERT_TYPE || 'vendorInformation' in value || 'hostStates' in value) {
    return unsupported(
      'a legacy Microsoft Graph security alert (v1 /security/alerts: vendorInformation, hostStates); send the alerts_v2 alert (/security/alerts_v2) instead',
    );
  }
  if (type === INCIDENT_TYPE || 'incidentWebUrl' in value) {
    if (Array.isArray(value.alerts)) return { kind: 'incidents', alerts: value.alerts as unknown[] };
    return unsupported('a Microsoft Graph incident without its alerts (ask for /security/incidents?$expand=alerts)');
  }
  if (typeof type === 'string') return unsupported(`an object of @odata.type ${describeType(type)}, not an alert`);
  if (isObject(value.error) && !('id' in value)) return unsupported('an API error response (error.code, error.message), not an alert');
  if ('machineId' in value) return { kind: 'defender-api' };
  if (GRAPH_V2_FIELDS.some((f) => f in value)) return { kind: 'graph-v2' };
  if (DEFENDER_API_FIELDS.some((f) => f in value)) return { kind: 'defender-api' };
  return unsupported(`a JSON object with ${describeKeys(Object.keys(value))}: none of the fields of an accepted alert shape`);
}

function detectCollection(items: unknown[]): DetectedShape {
  const shapes = items.map(detectItem);
  const incidents = shapes.flatMap((s) => (s.kind === 'incidents' ? [s] : []));
  if (items.length > 0 && incidents.length === items.length) return { kind: 'incidents', alerts: incidents.flatMap((s) => s.alerts) };
  const [first] = shapes;
  if (first?.kind === 'unsupported' && shapes.every((s) => s.kind === 'unsupported')) {
    return unsupported(`a collection ({"value": [...]}) of ${items.length} item(s), the first ${first.lookedLike}`);
  }
  return { kind: 'collection', items };
}

function unsupported(lookedLike: string): { kind: 'unsupported'; lookedLike: string } {
  return { kind: 'unsupported', lookedLike };
}

/** A type name as text safe to show: a Graph name as is, anything else only by its length. */
function describeType(type: string): string {
  return type.startsWith(GRAPH_NS) && /^[#A-Za-z0-9.]{1,80}$/.test(type) ? `"${type}"` : `(a string of ${type.length} characters)`;
}

/** Key names safe to show (letters, digits, @ $ . _ -; at most 40 characters), at most six of them. */
function describeKeys(keys: readonly string[]): string {
  if (keys.length === 0) return 'no keys';
  const shown = keys.filter((k) => /^[A-Za-z0-9@$._-]{1,40}$/.test(k)).slice(0, 6);
  const others = keys.length - shown.length;
  return `keys ${shown.join(', ') || '(none printable)'}${others > 0 ? ` and ${others} other(s)` : ''}`;
}
