import type { Endpoint } from '../router.js';
import { batchUpdateAlerts, listAlerts, updateAlert } from './alerts.js';
import { deleteLibraryFile, listLibraryFiles, uploadLibraryFile } from './library.js';
import { runLiveResponse } from './liveResponse.js';
import { cancelMachineAction, getMachineAction, listMachineActions } from './machineActions.js';
import { addOrRemoveMachineTag, addOrRemoveTagForMultipleMachines, findMachinesByTag, getMachine, listMachines } from './machines.js';
import { getResultDownloadLink } from './resultLink.js';

/** Every simulated endpoint. Order matters only where two patterns could match the same path. */
export const ENDPOINTS: readonly Endpoint[] = [
  runLiveResponse,
  getResultDownloadLink,
  cancelMachineAction,
  getMachineAction,
  listMachineActions,
  listLibraryFiles,
  uploadLibraryFile,
  deleteLibraryFile,
  listMachines,
  findMachinesByTag, // before getMachine, whose pattern also matches /machines/findbytag
  getMachine,
  addOrRemoveMachineTag,
  addOrRemoveTagForMultipleMachines,
  listAlerts,
  updateAlert,
  batchUpdateAlerts,
];
