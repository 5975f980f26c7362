import { app } from '@azure/functions';
import { buildApp } from '../shared/composition.js';
import { loadConfig } from '../shared/config.js';
import { retryableOnce } from '../shared/concurrency/retryableOnce.js';
import { createLogger, jsonLinesSink } from '../shared/log.js';
import { redactError } from '../shared/redaction.js';
import type { Services } from '../shared/services/index.js';
import {
  missingWorkerArguments,
  missingWorkerEnvironment,
  WORKER_ENVIRONMENT_ASSIGNMENTS,
  WORKER_NODE_ARGUMENTS,
} from '../shared/workerRuntime.js';
import { invocationSink } from './lib/invocationLog.js';
import { registerFunctions } from './lib/register.js';
import { FUNCTIONS } from './registry.js';

/**
 * The Function App's entry point (package.json `main`): reads the app
 * settings once (a bad setting fails the worker at start-up, named), then
 * registers every function of functions/registry.ts. Services are built on
 * the first invocation and shared by every function of this worker; a build
 * that fails is logged and retried by the next invocation, not kept.
 */
const config = loadConfig(process.env);
// Through each invocation's context at its real severity (invocationLog.ts); JSON lines on stderr only outside any invocation.
const logger = createLogger(invocationSink(jsonLinesSink('info')));
const services = retryableOnce(
  () =>
    buildApp(config, { logger }).then(({ services: s }) => {
      warnWithoutWorkerRuntime(s);
      return s;
    }),
  // Before the services exist there is no logger; the host's console is its log. Logged once per failed build.
  (error) => console.error(`the responder's services could not be built (retried on the next invocation): ${redactError(error).message}`),
);

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
