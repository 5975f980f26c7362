/** Names of the simulated endpoints, used for rate limits, statistics and fault targeting. */
export const ENDPOINT_KEYS = [
  'runLiveResponse',
  'getMachineAction',
  'listMachineActions',
  'cancelMachineAction',
  'getResultDownloadLink',
  'listLibraryFiles',
  'uploadLibraryFile',
  'deleteLibraryFile',
  'listMachines',
  'getMachine',
  'addOrRemoveMachineTag',
  'addOrRemoveTagForMultipleMachines',
  'findMachinesByTag',
  'listAlerts',
  'updateAlert',
  'batchUpdateAlerts',
  'downloadResult',
  'unknownRoute',
] as const;
export type EndpointKey = (typeof ENDPOINT_KEYS)[number];

/** Switchable misbehaviour, for testing a client's resilience. */
export interface SimulatorFaults {
  /** Send 429s without a Retry-After header (clients must tolerate it). */
  omitRetryAfter?: boolean;
  /** Answer the next N API requests with 500 InternalServerError (before auth, without using quota). */
  failNextRequests?: number;
  /** Restrict failNextRequests to these endpoints (default: every /api endpoint). */
  failEndpoints?: readonly EndpointKey[];
  /** GET /api/machineactions/{id} answers 404 for this long after the action's creation (eventual consistency). */
  invisibleAfterCreateMs?: number;
  /** The 201 of runliveresponse carries `commands: []` (observed by a practitioner). */
  emptyCommandsOnCreate?: boolean;
}
