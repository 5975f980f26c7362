import { z } from 'zod';
import { alertJson, ALERT_FILTER, type AlertChange } from '../alerts.js';
import type { AlertSpec } from '../fleetSchema.js';
import { parseBody } from '../bodies.js';
import { missingParameter, notFound } from '../errors.js';
import { readJson } from '../http.js';
import { applyFilter, collection, pageOptionsFor, parseListQuery } from '../query.js';
import type { Endpoint } from '../router.js';
import { ROLES } from './roles.js';

/** GET /api/alerts (mde-api.md 7.1): `evidence` is [] unless $expand=evidence; insertion order. */
export const listAlerts: Endpoint = {
  key: 'listAlerts',
  method: 'GET',
  pattern: /^\/api\/alerts\/?$/i,
  roles: ROLES.alerts,
  handle(ctx) {
    const { state, url, baseUrl } = ctx;
    const query = parseListQuery(url, ALERT_FILTER, { expandable: ['evidence'], strict: state.strictness.strictOData });
    state.sync();
    const matching = applyFilter(state.alerts.positioned(), query);
    const render = (a: AlertSpec) => alertJson(a, query.expand.includes('evidence'));
    return { status: 200, json: collection(`${baseUrl}/api/$metadata#Alerts`, matching, query, pageOptionsFor(ctx, 'listAlerts'), render) };
  },
};

/** Values the update pages list (update-alert and batch-update-alerts differ in three determination names: both are accepted). */
export const ALERT_STATUSES = ['New', 'InProgress', 'Resolved'] as const;
export const ALERT_CLASSIFICATIONS = ['TruePositive', 'InformationalExpectedActivity', 'FalsePositive'] as const;
export const ALERT_DETERMINATIONS = [
  'MultiStagedAttack',
  'MaliciousUserActivity',
  'CompromisedUser',
  'Malware',
  'Phishing',
  'UnwantedSoftware',
  'SecurityTesting',
  'LineOfBusinessApplication',
  'ConfirmedActivity',
  'ConfirmedUserActivity',
  'NotMalicious',
  'Clean',
  'InsufficientData',
  'Other',
] as const;

const changeShape = {
  status: z.enum(ALERT_STATUSES).optional(),
  assignedTo: z.string().optional(),
  classification: z.enum(ALERT_CLASSIFICATIONS).optional(),
  determination: z.enum(ALERT_DETERMINATIONS).optional(),
  comment: z.string().optional(),
};
const updateBody = z.strictObject(changeShape);
const batchBody = z.strictObject({ alertIds: z.array(z.string()).min(1), ...changeShape });
const CHANGE_FIELDS = Object.keys(changeShape);

/** "Submission of comment is available with or without updating properties" — but something must be sent. */
function requireChange(change: AlertChange): AlertChange {
  if (Object.values(change).every((v) => v === undefined)) {
    throw missingParameter(`The request body must contain at least one of ${CHANGE_FIELDS.join(', ')}.`);
  }
  return change;
}

/**
 * PATCH /api/alerts/{id} (mde-api.md, "Alert update") → 200 with the updated
 * Alert (`evidence: []`, as listed without $expand). Checks, in order: JSON
 * body → alert exists (404) → body (400, naming the field).
 */
export const updateAlert: Endpoint = {
  key: 'updateAlert',
  method: 'PATCH',
  pattern: /^\/api\/alerts\/([^/]+)$/i,
  roles: ROLES.writeAlerts,
  async handle({ state, params, caller, req, baseUrl }) {
    const body = await readJson(req);
    const nowMs = state.sync();
    const id = params[0] ?? '';
    if (!state.alerts.get(id)) throw notFound(`Alert ${id} was not found`);
    const change = requireChange(parseBody(updateBody, body));
    const updated = state.alerts.update(id, change, caller.requestor, state.formats.time(nowMs, `alert:${id}`));
    if (!updated) throw notFound(`Alert ${id} was not found`);
    return { status: 200, json: { '@odata.context': `${baseUrl}/api/$metadata#Alerts/$entity`, ...alertJson(updated, false) } };
  },
};

/**
 * POST /api/alerts/batchUpdate, body {"alertIds": [...], ...the same fields}
 * → 200 with an empty body (batch-update-alerts). Any unknown id → 404
 * naming it, and no alert changes. 10 calls/min and 500/hour.
 */
export const batchUpdateAlerts: Endpoint = {
  key: 'batchUpdateAlerts',
  method: 'POST',
  pattern: /^\/api\/alerts\/batchUpdate$/i,
  roles: ROLES.writeAlerts,
  alertBatchLimit: true,
  async handle({ state, caller, req }) {
    const body = await readJson(req);
    const nowMs = state.sync();
    const { alertIds, ...rest } = parseBody(batchBody, body);
    const change = requireChange(rest);
    const ids = [...new Set(alertIds)];
    const unknown = ids.filter((id) => !state.alerts.get(id));
    if (unknown.length > 0) throw notFound(`Alerts not found: ${unknown.join(', ')}. No alert was changed.`);
    for (const id of ids) state.alerts.update(id, change, caller.requestor, state.formats.time(nowMs, `alert:${id}`));
    return { status: 200 };
  },
};
