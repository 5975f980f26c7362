import { machineActionJson } from '../actionModel.js';
import { validateLiveResponseBody } from '../commands.js';
import { ApiError, notFound, tooManyRequests } from '../errors.js';
import { readJson } from '../http.js';
import type { Endpoint } from '../router.js';
import { ROLES } from './roles.js';

/**
 * POST /api/machines/{id}/runliveresponse (mde-api.md 2). Checks, in order:
 * JSON body → machine exists (404) → body shape and commands (400) → RBAC
 * automation level (403 DisallowedOperation) → device busy with an open
 * action or a portal session (400 ActiveRequestAlreadyExists) → session limit
 * (429) → 201 with a Pending MachineAction.
 */
export const runLiveResponse: Endpoint = {
  key: 'runLiveResponse',
  method: 'POST',
  pattern: /^\/api\/machines\/([^/]+)\/runliveresponse$/i,
  roles: ROLES.liveResponse,
  liveResponseLimit: true,
  async handle({ state, caller, params, baseUrl, req }) {
    const body = await readJson(req);
    const nowMs = state.sync();
    const machineId = params[0] ?? '';
    const device = state.device(machineId);
    if (!device) throw notFound(`Machine ${machineId} was not found`);
    const request = validateLiveResponseBody(body);
    if (device.spec.noAutomationLevel) {
      throw new ApiError(
        403,
        'DisallowedOperation',
        `This device has no automation level assigned to it. Live response cannot run on machine ${device.id}.`,
      );
    }
    if (state.deviceBusy(device.id, nowMs)) {
      state.stats.activeRequestRejections += 1;
      throw new ApiError(400, 'ActiveRequestAlreadyExists', state.settings.activeRequestMessage);
    }
    const s = state.settings;
    if (state.actions.sessionsOf(caller, state.strictness.quotaScope, s.sessionsCountPending) >= s.maxConcurrentSessions) {
      state.stats.sessionLimitRejections += 1;
      state.stats.throttle('runLiveResponse');
      throw tooManyRequests(
        s.sessionLimitRetryAfterSeconds,
        state.omitsRetryAfter,
        `Too many requests: the limit of ${s.maxConcurrentSessions} concurrent live response sessions is reached.`,
      );
    }
    const action = state.actions.create({
      id: state.ids.guid('action'),
      machineId: device.id,
      computerDnsName: device.spec.computerDnsName,
      requestor: caller.requestor,
      owner: { appId: caller.appId, tenantId: caller.tenantId },
      createdMs: nowMs,
      request,
    });
    const json = machineActionJson(action, state.formats, { omitCommands: state.currentFaults.emptyCommandsOnCreate === true });
    return { status: 201, json: { '@odata.context': `${baseUrl}/api/$metadata#MachineActions/$entity`, ...json } };
  },
};
