import { isTerminal } from '../../shared/defender/types.js';
import { machineActionJson, type ActionRecord } from '../actionModel.js';
import { ApiError, badRequest, invalidRequestBody, missingParameter, notFound } from '../errors.js';
import { cancelAction } from '../execution.js';
import { readJson } from '../http.js';
import type { FilterSchema } from '../odata.js';
import { applyFilter, collection, pageOptionsFor, parseListQuery } from '../query.js';
import type { Endpoint, RequestContext } from '../router.js';
import type { SimulatorState } from '../state.js';
import { GUID, ROLES } from './roles.js';

/** Filterable MachineAction properties (mde-api.md 3.3). */
export const MACHINE_ACTION_FILTER: FilterSchema = {
  id: 'string',
  status: 'string',
  machineId: 'string',
  type: 'string',
  requestor: 'string',
  creationDateTimeUtc: 'datetime',
};

/** Whether lists (and GET by id) show the action yet: `listLagMs` after its creation (README choice 27). */
const listed = (state: SimulatorState, action: ActionRecord, nowMs: number): boolean =>
  nowMs >= action.createdMs + state.strictness.listLagMs;

/**
 * Looks an action up by its path key: non-GUID → 400 (Edm.Guid), unknown →
 * 404. With `hideFresh` (GET by id), an action is also 404 until it is
 * listed (`listLagMs`) and for the `invisibleAfterCreateMs` fault's time.
 */
export function findAction(state: SimulatorState, key: string, nowMs: number, hideFresh = false): ActionRecord {
  if (!GUID.test(key)) {
    throw badRequest(`The request is invalid. The key value '${key}' in the request URL is not valid: it must be of type 'Edm.Guid'.`);
  }
  const action = state.actions.get(key);
  const invisibleMs = state.currentFaults.invisibleAfterCreateMs ?? 0;
  const hidden = action !== undefined && hideFresh && (nowMs < action.createdMs + invisibleMs || !listed(state, action, nowMs));
  if (!action || hidden) throw notFound(`Machine action ${key} was not found`);
  return action;
}

const entity = (ctx: RequestContext, action: ActionRecord) => ({
  '@odata.context': `${ctx.baseUrl}/api/$metadata#MachineActions/$entity`,
  ...machineActionJson(action, ctx.state.formats),
});

export const getMachineAction: Endpoint = {
  key: 'getMachineAction',
  method: 'GET',
  pattern: /^\/api\/machineactions\/([^/()]+)$/i,
  roles: ROLES.readMachines,
  handle(ctx) {
    const nowMs = ctx.state.sync();
    return { status: 200, json: entity(ctx, findAction(ctx.state, ctx.params[0] ?? '', nowMs, true)) };
  },
};

export const listMachineActions: Endpoint = {
  key: 'listMachineActions',
  method: 'GET',
  pattern: /^\/api\/machineactions\/?$/i,
  roles: ROLES.readMachines,
  handle(ctx) {
    const query = parseListQuery(ctx.url, MACHINE_ACTION_FILTER, { strict: ctx.state.strictness.strictOData });
    const nowMs = ctx.state.sync();
    const all = ctx.state.actions
      .newestFirst()
      .filter((a) => listed(ctx.state, a, nowMs))
      .map((a) => ({ position: a.sequence, entity: machineActionJson(a, ctx.state.formats) }));
    const context = `${ctx.baseUrl}/api/$metadata#MachineActions`;
    return {
      status: 200,
      json: collection(context, applyFilter(all, query), query, pageOptionsFor(ctx, 'listMachineActions', 'descending')),
    };
  },
};

/**
 * POST /api/machineactions/{id}/cancel, body {"Comment": "..."} → 200 Cancelled.
 * Already final → 400 DisallowedOperation (simulator choice; see README).
 */
export const cancelMachineAction: Endpoint = {
  key: 'cancelMachineAction',
  method: 'POST',
  pattern: /^\/api\/machineactions\/([^/()]+)\/cancel$/i,
  roles: ROLES.cancel,
  async handle(ctx) {
    const body = await readJson(ctx.req);
    const nowMs = ctx.state.sync();
    const action = findAction(ctx.state, ctx.params[0] ?? '', nowMs);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidRequestBody();
    const unknown = Object.keys(body).find((k) => k !== 'Comment');
    if (unknown)
      throw invalidRequestBody(
        `Request body is incorrect: unknown property '${unknown}' (property names are case-sensitive: use 'Comment').`,
      );
    const comment = (body as { Comment?: unknown }).Comment;
    if (typeof comment !== 'string') throw missingParameter("Missing required parameter 'Comment'.");
    if (isTerminal(action.status)) {
      throw new ApiError(
        400,
        'DisallowedOperation',
        `Machine action ${action.id} is already in a final state (${action.status}) and cannot be cancelled.`,
      );
    }
    cancelAction(action, nowMs, ctx.caller.requestor, comment);
    ctx.state.actions.settle(action);
    return { status: 200, json: entity(ctx, action) };
  },
};
