import { actions } from './actions.js';
import { alertPoller } from './alertPoller.js';
import { alerts } from './alerts.js';
import { auditList } from './auditList.js';
import { collect } from './collect.js';
import { deadLettersPurge, deadLettersReplay } from './deadLettersAct.js';
import { deadLettersList } from './deadLettersList.js';
import { consoleFiles } from './consoleFiles.js';
import { deviceDirectory } from './deviceDirectory.js';
import { devicesList } from './devicesList.js';
import { dryRun } from './dryRun.js';
import { health } from './health.js';
import { me } from './me.js';
import type { FunctionDeclaration, HttpFunction } from './lib/binding.js';
import { notify } from './notify.js';
import { openApi } from './openApi.js';
import { playbooksList } from './playbooksList.js';
import { polls } from './polls.js';
import { reconcile } from './reconcile.js';
import { runsCancel } from './runsCancel.js';
import { runsCreate } from './runsCreate.js';
import { runsEvidence } from './runsEvidence.js';
import { runsEvidenceLink } from './runsEvidenceLink.js';
import { runsGet } from './runsGet.js';
import { runsList } from './runsList.js';
import { schedules } from './schedules.js';
import { status } from './status.js';

/**
 * Every function of the app, once. The Function App (functions/main.ts) and
 * the local host (local/host.ts) both serve exactly this list; a new
 * function is its own file plus one line here.
 */
export const FUNCTIONS: readonly FunctionDeclaration[] = [
  alerts,
  actions,
  polls,
  collect,
  notify,
  runsCreate,
  runsGet,
  runsCancel,
  runsEvidence,
  runsEvidenceLink,
  dryRun,
  runsList,
  playbooksList,
  devicesList,
  auditList,
  deadLettersList,
  deadLettersReplay,
  deadLettersPurge,
  me,
  consoleFiles,
  health,
  status,
  openApi(() => FUNCTIONS.filter((f): f is HttpFunction => f.kind === 'http')),
  schedules,
  reconcile,
  alertPoller,
  deviceDirectory,
];
