import { useServices } from '../../shared/appServices.js';
import { buildApp } from '../../shared/composition.js';
import { loadConfig } from '../../shared/config.js';

/**
 * In the Function App, services come from the app settings. Imported by
 * every trigger file; the local host and tests replace them with
 * useServices() after import.
 */
useServices(async () => (await buildApp(loadConfig(process.env))).services);
