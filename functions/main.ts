import { app } from '@azure/functions';
import { buildApp } from '../shared/composition.js';
import { loadConfig } from '../shared/config.js';
import type { Services } from '../shared/services/index.js';
import {
  missingWorkerArguments,
  missingWorkerEnvironment,
  WORKER_ENVIRONMENT_ASSIGNMENTS,
  WORKER_NODE_ARGUMENTS,
} from '../shared/workerRuntime.js';
import { registerFunctions } from './lib/register.js';
import { FUNCTIONS } from './registry.js';

/**
 * The Function App's entry point (package.json `main`): reads the app
 * settings once (a bad setting fails the worker at start-up, named), then
 * registers every function of functions/registry.ts. Services are built on
 * the first invocation and shared by every function of this worker.
 */
const config = loadConfig(process.env);
let built: Promise<Services> | undefined;

function services(): Promise<Services> {
  built ??= buildApp(config).then(({ services: s }) => {
    warnWithoutWorkerRuntime(s);
    return s;
  });
  return built;
}

function warnWithoutWorkerRuntime(s: Services): void {
  const missing = [...missingWorkerArguments(), ...missingWorkerEnvironment()];
  if (missing.length === 0) return;
  s.deps.logger.log(
    'warn',
    "the Node.js worker runs without the app's Node arguments or environment: evidence transfers will hold more memory (set languageWorkers__node__arguments and the app settings in infra/README.md)",
    { missing: missing.join(' '), expected: [...WORKER_NODE_ARGUMENTS, ...WORKER_ENVIRONMENT_ASSIGNMENTS].join(' ') },
  );
}

registerFunctions(app, FUNCTIONS, config, services);
