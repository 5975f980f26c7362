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
import type { Metrics } from '../shared/telemetry/metrics.js';
import { startAzureMonitor } from './lib/azureMonitor.js';
import { invocationSink } from './lib/invocationLog.js';
import { metricsExportOf } from './lib/metricsExport.js';
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
const metrics = startMetrics();
const services = retryableOnce(
  async () =>
    buildApp(config, { logger, ...(await metrics) }).then(({ services: s }) => {
      warnWithoutWorkerRuntime(s);
      return s;
    }),
  // Before the services exist there is no logger; the host's console is its log. Logged once per failed build.
  (error) => console.error(`the responder's services could not be built (retried on the next invocation): ${redactError(error).message}`),
);

/**
 * The worker's own metrics to Application Insights, started before any
 * service is built (instruments made before the distro registers its meter
 * provider would record nothing). Off without a connection string or with
 * METRICS_ENABLED=false; a distro that fails to start costs the metrics, not
 * the app.
 */
async function startMetrics(): Promise<{ metrics?: Metrics }> {
  const plan = metricsExportOf(config.metrics);
  if (plan.kind === 'off') {
    logger.log('info', 'metrics are not exported', { why: plan.why });
    return {};
  }
  try {
    return { metrics: await startAzureMonitor(plan) };
  } catch (error) {
    logger.log('warn', 'metrics could not be started; the responder runs without them', { error: redactError(error).message });
    return {};
  }
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
