import { resultFileName } from '../downloads.js';
import { invalidInput, notFound, badRequest } from '../errors.js';
import type { Endpoint } from '../router.js';
import { findAction } from './machineActions.js';
import { ROLES } from './roles.js';

/**
 * GET /api/machineactions/{id}/GetLiveResponseResultDownloadLink(index=N)
 * (mde-api.md 4). Only Completed RunScript/GetFile commands have a result;
 * PutFile, unfinished or failed commands → 400 InvalidInput; an index
 * outside `commands` → 404 (simulator choices).
 */
export const getResultDownloadLink: Endpoint = {
  key: 'getResultDownloadLink',
  method: 'GET',
  pattern: /^\/api\/machineactions\/([^/()]+)\/GetLiveResponseResultDownloadLink\(index=([^)]*)\)$/i,
  roles: ROLES.readMachines,
  handle({ state, links, params, baseUrl }) {
    const nowMs = state.sync();
    const action = findAction(state, params[0] ?? '', nowMs);
    const rawIndex = params[1] ?? '';
    if (!/^\d+$/.test(rawIndex)) throw badRequest(`The index '${rawIndex}' is not a non-negative integer.`);
    const index = Number(rawIndex);
    const command = action.commands[index];
    if (!command)
      throw notFound(`Command index ${index} does not exist in machine action ${action.id} (it has ${action.commands.length} commands).`);
    if (command.command.type === 'PutFile') throw invalidInput(`Command ${index} is a PutFile command, which produces no result.`);
    if (command.status !== 'Completed' || !command.result) {
      throw invalidInput(`Command ${index} has status ${command.status}; only Completed commands have a result to download.`);
    }
    state.stats.downloadLinksMinted += 1;
    const target = { actionId: action.id, index, fileName: resultFileName(command.result) };
    const url = links.mint(baseUrl, target, nowMs, state.settings.downloadLinkTtlMs);
    return { status: 200, json: { '@odata.context': `${baseUrl}/api/$metadata#Edm.String`, value: url } };
  },
};
