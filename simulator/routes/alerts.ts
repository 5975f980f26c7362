import { alertJson, ALERT_FILTER } from '../alerts.js';
import { applyFilter, applyPage, collection, parseListQuery } from '../query.js';
import type { Endpoint } from '../router.js';
import { ROLES } from './roles.js';

/** GET /api/alerts (mde-api.md 7.1): `evidence` is [] unless $expand=evidence; insertion order. */
export const listAlerts: Endpoint = {
  key: 'listAlerts',
  method: 'GET',
  pattern: /^\/api\/alerts\/?$/i,
  roles: ROLES.alerts,
  handle({ state, url, baseUrl }) {
    const query = parseListQuery(url, ALERT_FILTER, ['evidence']);
    state.sync();
    const matching = applyFilter(state.alerts.list(), query);
    const page = applyPage(matching, query).map((a) => alertJson(a, query.expand.includes('evidence')));
    return { status: 200, json: collection(`${baseUrl}/api/$metadata#Alerts`, page, query, matching.length) };
  },
};
