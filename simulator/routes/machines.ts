import { z } from 'zod';
import { parseBody } from '../bodies.js';
import type { DeviceState } from '../devices.js';
import { missingParameter, notFound, invalidInput, odataError } from '../errors.js';
import { readJson } from '../http.js';
import { MACHINE_FILTER, machineJson } from '../machines.js';
import { numbered } from '../paging.js';
import { applyFilter, collection, pageOptionsFor, parseListQuery } from '../query.js';
import type { Endpoint, RequestContext } from '../router.js';
import type { SimulatorState } from '../state.js';
import { ROLES } from './roles.js';

/**
 * GET /api/machines (mde-api.md 6.1), fleet order. A filter that matches
 * nothing → 200 with `value: []`; the documented 404 is kept for its
 * documented case only, a tenant with no machines at all (README choice 20).
 */
export const listMachines: Endpoint = {
  key: 'listMachines',
  method: 'GET',
  pattern: /^\/api\/machines\/?$/i,
  roles: ROLES.readMachines,
  handle(ctx) {
    const { state, url, baseUrl } = ctx;
    const query = parseListQuery(url, MACHINE_FILTER, { strict: state.strictness.strictOData });
    state.sync();
    const all = numbered([...state.devices.values()].map((d) => machineJson(d, state.startMs, state.formats)));
    if (all.length === 0) throw notFound('No machines found.');
    return {
      status: 200,
      json: collection(`${baseUrl}/api/$metadata#Machines`, applyFilter(all, query), query, pageOptionsFor(ctx, 'listMachines')),
    };
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
    return { status: 200, json: machineEntity(baseUrl, state, device) };
  },
};

const machineEntity = (baseUrl: string, state: SimulatorState, device: DeviceState): Record<string, unknown> => ({
  '@odata.context': `${baseUrl}/api/$metadata#Machines/$entity`,
  ...machineJson(device, state.startMs, state.formats),
});

/** Most machines per AddOrRemoveTagForMultipleMachines call (documented: 500). */
export const MAX_TAG_MACHINES = 500;

const tagValue = z.string().trim().min(1);
const tagAction = z.enum(['Add', 'Remove']);
const tagBody = z.strictObject({ Value: tagValue, Action: tagAction });
const multipleTagBody = z.strictObject({
  Value: tagValue,
  Action: tagAction,
  MachineIds: z.array(z.string()).min(1).max(MAX_TAG_MACHINES),
});

/**
 * POST /api/machines/{id}/tags, body {"Value", "Action": "Add"|"Remove"}
 * (mde-api.md 6.4) → 200 with the updated Machine. Checks, in order: JSON
 * body → machine exists, by id only (404) → body (400).
 */
export const addOrRemoveMachineTag: Endpoint = {
  key: 'addOrRemoveMachineTag',
  method: 'POST',
  pattern: /^\/api\/machines\/([^/]+)\/tags$/i,
  roles: ROLES.writeMachines,
  async handle({ state, params, req, baseUrl }) {
    const body = await readJson(req);
    state.sync();
    const machineId = params[0] ?? '';
    const device = state.device(machineId);
    if (!device) throw notFound(`Machine ${machineId} was not found`);
    const { Value, Action } = parseBody(tagBody, body);
    device.changeTag(Value, Action);
    return { status: 200, json: machineEntity(baseUrl, state, device) };
  },
};

/**
 * POST /api/machines/AddOrRemoveTagForMultipleMachines, body {"Value",
 * "Action", "MachineIds": [...]} (mde-api.md 6.4): at most 500 ids (over →
 * 400 MaximumBatchSizeExceeded); any unknown id → 404 naming it and no
 * machine changes; 200 with the updated machines in request order.
 */
export const addOrRemoveTagForMultipleMachines: Endpoint = {
  key: 'addOrRemoveTagForMultipleMachines',
  method: 'POST',
  pattern: /^\/api\/machines\/AddOrRemoveTagForMultipleMachines$/i,
  roles: ROLES.writeMachines,
  async handle({ state, req, baseUrl }) {
    const body = await readJson(req);
    state.sync();
    const { Value, Action, MachineIds } = parseBody(multipleTagBody, body);
    const devices = new Map<string, DeviceState>();
    const unknown: string[] = [];
    for (const id of MachineIds) {
      const device = state.device(id);
      if (device) devices.set(device.id, device);
      else unknown.push(id);
    }
    if (unknown.length > 0) throw notFound(`Machines not found: ${unknown.join(', ')}. No machine was changed.`);
    for (const device of devices.values()) device.changeTag(Value, Action);
    const value = [...devices.values()].map((d) => machineJson(d, state.startMs, state.formats));
    return { status: 200, json: { '@odata.context': `${baseUrl}/api/$metadata#Machines`, value } };
  },
};

function findByTagQuery(ctx: RequestContext): { tag: string; startsWith: boolean } {
  let tag: string | undefined;
  let startsWith = false;
  for (const [key, value] of ctx.url.searchParams) {
    const name = key.toLowerCase();
    if (name === 'tag') tag = value;
    else if (name === 'usestartswithfilter') {
      if (!/^(true|false)$/i.test(value)) throw invalidInput(`Invalid value '${value}' for 'useStartsWithFilter'; expected true or false.`);
      startsWith = value.toLowerCase() === 'true';
    } else if (name.startsWith('$')) throw odataError(`The query parameter '${key}' is not supported.`);
  }
  if (tag === undefined || tag.trim() === '') throw missingParameter("Missing required parameter 'tag'.");
  return { tag, startsWith };
}

/**
 * GET /api/machines/findbytag?tag=...&useStartsWithFilter=true|false
 * (mde-api.md 6.4) → 200 with the machines (fleet order), `value: []` when
 * none has the tag. Tags compare case-insensitively, as in `$filter`.
 */
export const findMachinesByTag: Endpoint = {
  key: 'findMachinesByTag',
  method: 'GET',
  pattern: /^\/api\/machines\/findbytag$/i,
  roles: ROLES.readMachines,
  handle(ctx) {
    const { tag, startsWith } = findByTagQuery(ctx);
    const { state, baseUrl } = ctx;
    state.sync();
    const value = [...state.devices.values()]
      .filter((d) => d.hasTag(tag, startsWith))
      .map((d) => machineJson(d, state.startMs, state.formats));
    return { status: 200, json: { '@odata.context': `${baseUrl}/api/$metadata#Machines`, value } };
  },
};
