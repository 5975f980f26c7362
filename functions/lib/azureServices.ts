import { useServices } from '../../shared/appServices.js';
import { buildApp } from '../../shared/composition.js';
import { loadConfig } from '../../shared/config.js';
import { missingWorkerArguments, WORKER_NODE_ARGUMENTS } from '../../shared/workerNodeArguments.js';

/**
 * In the Function App, services come from the app settings. Imported by
 * every trigger file; the local host and tests replace them with
 * useServices() after import.
 */
useServices(async () => {
  const { services } = await buildApp(loadConfig(process.env));
  const missing = missingWorkerArguments();
  if (missing.length > 0) {
    services.deps.logger.log('warn', 'the Node.js worker runs without the app\'s Node arguments: evidence transfers will hold more memory (set languageWorkers__node__arguments)', {
      missing: missing.join(' '), expected: WORKER_NODE_ARGUMENTS.join(' '),
    });
  }
  return services;
});
