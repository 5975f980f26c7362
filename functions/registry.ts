import { actions } from './actions.js';
import { alertPoller } from './alertPoller.js';
import { alerts } from './alerts.js';
import { auditList } from './auditList.js';
import { collect } from './collect.js';
import { consoleFiles } from './consoleFiles.js';
import { deviceDirectory } from './deviceDirectory.js';
import { dryRun } from './dryRun.js';
import { health } from './health.js';
import { me } from './me.js';
import type { FunctionDeclaration, HttpFunction } from './lib/binding.js';
import { openApi } from './openApi.js';
import { playbooksList } from './playbooksList.js';
import { polls } from './polls.js';
import { reconcile } from './reconcile.js';
import { runsCancel } from './runsCancel.js';
import { runsCreate } from './runsCreate.js';
import { runsGet } from './runsGet.js';
import { runsList } from './runsList.js';
import { schedules } from './schedules.js';

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
  runsCreate,
  runsGet,
  runsCancel,
  dryRun,
  runsList,
  playbooksList,
  auditList,
  me,
  consoleFiles,
  health,
  openApi(() => FUNCTIONS.filter((f): f is HttpFunction => f.kind === 'http')),
  schedules,
  reconcile,
  alertPoller,
  deviceDirectory,
];
