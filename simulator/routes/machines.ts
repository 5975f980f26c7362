import { notFound } from '../errors.js';
import { MACHINE_FILTER, machineJson } from '../machines.js';
import { applyFilter, applyPage, collection, parseListQuery } from '../query.js';
import type { Endpoint } from '../router.js';
import { ROLES } from './roles.js';

/** GET /api/machines (mde-api.md 6.1): 404 when no machine matches (documented), fleet order. */
export const listMachines: Endpoint = {
  key: 'listMachines',
  method: 'GET',
  pattern: /^\/api\/machines\/?$/i,
  roles: ROLES.readMachines,
  handle({ state, url, baseUrl }) {
    const query = parseListQuery(url, MACHINE_FILTER);
    state.sync();
    const all = [...state.devices.values()].map((d) => machineJson(d, state.startMs));
    const matching = applyFilter(all, query);
    if (matching.length === 0) throw notFound('No machines found.');
    return { status: 200, json: collection(`${baseUrl}/api/$metadata#Machines`, applyPage(matching, query), query, matching.length) };
  },
};

/** GET /api/machines/{id or computer name} (mde-api.md 6.2). */
export const getMachine: Endpoint = {
  key: 'getMachine',
  method: 'GET',
  pattern: /^\/api\/machines\/([^/]+)$/i,
  roles: ROLES.readMachines,
  handle({ state, params, baseUrl }) {
    state.sync();
    const key = params[0] ?? '';
    const device = state.device(key, true);
    if (!device) throw notFound(`Machine ${key} was not found`);
    return { status: 200, json: { '@odata.context': `${baseUrl}/api/$metadata#Machines/$entity`, ...machineJson(device, state.startMs) } };
  },
};
