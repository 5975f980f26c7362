import { useServices } from '../../shared/appServices.js';
import { buildApp } from '../../shared/composition.js';
import { loadConfig } from '../../shared/config.js';
import {
  missingWorkerArguments,
  missingWorkerEnvironment,
  WORKER_ENVIRONMENT_ASSIGNMENTS,
  WORKER_NODE_ARGUMENTS,
} from '../../shared/workerRuntime.js';

/**
 * In the Function App, services come from the app settings. Imported by
 * every trigger file; the local host and tests replace them with
 * useServices() after import.
 */
useServices(async () => {
  const { services } = await buildApp(loadConfig(process.env));
  const missing = [...missingWorkerArguments(), ...missingWorkerEnvironment()];
  if (missing.length > 0) {
    services.deps.logger.log(
      'warn',
      "the Node.js worker runs without the app's Node arguments or environment: evidence transfers will hold more memory (set languageWorkers__node__arguments and the app settings in infra/README.md)",
      {
        missing: missing.join(' '),
        expected: [...WORKER_NODE_ARGUMENTS, ...WORKER_ENVIRONMENT_ASSIGNMENTS].join(' '),
      },
    );
  }
  return services;
});
