import { FUNCTIONS } from '../../functions/registry.js';
import { startAzurite, type RunningAzurite } from '../../local/azurite.js';
import { serveFunctions, type ServedFunctions } from '../../local/host.js';
import { ScaledClock } from '../../shared/clock.js';
import { buildApp, type BuiltApp } from '../../shared/composition.js';
import { loadConfig } from '../../shared/config.js';
import { createLogger, type LogLevel } from '../../shared/log.js';
import { SimulatorCredential, parseFleet, startSimulator, type FleetInput, type RunningSimulator } from '../../simulator/index.js';
import { startFaultProxy, type FaultProxy } from './faultProxy.js';
import { startWorkerProcesses, type WorkerProcessPool } from './workerProcesses.js';
import { CHAOS_PLAYBOOKS_DIR } from './workload.js';

export interface ChaosStackOptions {
  fleet: FleetInput;
  timeScale: number;
  workers: number;
  /** The simulator's list lag (simulated ms): new actions stay out of its lists and GET by id this long. */
  listLagMs: number;
  /** The responder's RECONCILE_STALE_MS for the run (simulated ms). */
  reconcileStaleMs: number;
  /** How long (wall seconds) a message stays hidden while a worker handles it; a killed worker's messages reappear after it. */
  lockSeconds: number;
  /** Wall milliseconds a slow answer (storage or Defender) waits. */
  delayMs: number;
  logLevel: LogLevel;
  /** Every log line of every process (workers, the timer and HTTP host), with its source. */
  onLogLine: (source: string, line: string) => void;
}

export interface ChaosStack {
  clock: ScaledClock;
  azurite: RunningAzurite;
  simulator: RunningSimulator;
  /** The fault proxies in front of Azurite's blob, queue and table endpoints. */
  storageProxies: FaultProxy[];
  /** The fault proxy in front of the Defender API (the simulator). */
  defenderProxy: FaultProxy;
  workers: WorkerProcessPool;
  /** The Function App's HTTP routes and timers, served once in this process. */
  apiUrl: string;
  /** An app on Azurite directly (no faults): feeds alerts and reads the records the checks need. */
  observer: BuiltApp;
  /** The settings the workers and the timer host run with. */
  settings: Record<string, string>;
  stop(): Promise<void>;
}

/** The suite's simulated clock starts at 01:58 UTC today, so the nightly schedule fires two simulated minutes in. */
function suiteStartMs(): number {
  const now = new Date();
  return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), 1, 58, 0);
}

/**
 * The fault suite's bed: Azurite behind fault proxies, the simulator behind
 * another, N responder workers as child processes (each can be killed),
 * and, in this process, the Function App's HTTP routes and timers (the
 * reconcile timer with the watchdog and the sweep, schedules, the device
 * directory): Azure runs a timer on one instance, and so does the suite.
 * Every process reads one scaled clock.
 */
export async function startChaosStack(options: ChaosStackOptions): Promise<ChaosStack> {
  const clock = new ScaledClock({ scale: options.timeScale, startMs: suiteStartMs(), originWallMs: Date.now() });
  const azurite = await startAzurite();
  const stops: (() => Promise<void>)[] = [() => azurite.stop()];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    const storageProxies = await Promise.all(
      [azurite.blobEndpoint, azurite.queueEndpoint, azurite.tableEndpoint].map((endpoint) =>
        startFaultProxy({ target: new URL(endpoint).origin, delayMs: options.delayMs }),
      ),
    );
    stops.push(() => Promise.all(storageProxies.map((p) => p.close())).then(() => undefined));
    const simulator = await startSimulator({
      fleet: parseFleet(options.fleet),
      clock,
      // Another app's calls share the tenant's quota with ours: now and then one of ours meets a 429.
      settings: { quotaScope: 'tenant', listLagMs: options.listLagMs },
    });
    stops.push(() => simulator.close());
    const defenderProxy = await startFaultProxy({ target: simulator.url, delayMs: options.delayMs });
    stops.push(() => defenderProxy.close());

    const settings: Record<string, string> = {
      STORAGE_CONNECTION_STRING: proxiedConnectionString(azurite, storageProxies),
      BUS_KIND: 'storage-queues',
      DEFENDER_API_BASE_URL: defenderProxy.url,
      DEFENDER_ALLOW_HTTP_LOOPBACK: 'true',
      PLAYBOOKS_DIR: CHAOS_PLAYBOOKS_DIR,
      TIME_SCALE: String(options.timeScale),
      // Every simulated minute: the schedule fires on time, the watchdog and the sweep look every minute.
      SCHEDULE_SWEEP_CRON: '0 * * * * *',
      RECONCILE_CRON: '0 * * * * *',
      RECONCILE_STALE_MS: String(options.reconcileStaleMs),
      // No App Service sign-in here: the manual run is made as the development principal.
      OPERATOR_AUTH: 'development',
      DEV_PRINCIPAL_NAME: 'fault-suite@localhost',
      // As the pacing benchmark: the send lead stands for wall time spent on bookkeeping (100 wall ms).
      PACING_SEND_LEAD_MS: String(Math.min(10_000, Math.max(2_000, 100 * options.timeScale))),
    };
    const credential = new SimulatorCredential({ clock });
    const observer = await buildApp(
      loadConfig({ ...settings, STORAGE_CONNECTION_STRING: azurite.connectionString, RECONCILE_CRON: 'off' }),
      { clock, credential, logger: createLogger(() => undefined) },
    );
    stops.push(() => observer.services.close());

    const hostLogger = createLogger((level, record) => options.onLogLine('host', JSON.stringify({ level, ...record })));
    const hostConfig = loadConfig(settings);
    const hostApp = await buildApp(hostConfig, { clock, credential, logger: hostLogger });
    stops.push(() => hostApp.services.close());
    // As the Function App's directory timer would have done before the work arrives.
    await hostApp.services.refreshDeviceDirectory();
    const served: ServedFunctions = await serveFunctions(
      FUNCTIONS.filter((f) => f.kind !== 'queue'),
      { services: hostApp.services, config: hostConfig, clock, logger: hostLogger },
    );
    stops.push(() => served.stop());
    if (!served.apiUrl) throw new Error('the registry declares no HTTP functions');

    const workers = await startWorkerProcesses({
      count: options.workers,
      settings,
      clock,
      logLevel: options.logLevel,
      lockSeconds: options.lockSeconds,
      onLine: (worker, line) => options.onLogLine(`worker-${worker}`, line),
    });
    stops.push(() => workers.stop());
    return { clock, azurite, simulator, storageProxies, defenderProxy, workers, apiUrl: served.apiUrl, observer, settings, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** Azurite's connection string with each endpoint replaced by its fault proxy (same account, same key). */
function proxiedConnectionString(azurite: RunningAzurite, proxies: FaultProxy[]): string {
  let text = azurite.connectionString;
  [azurite.blobEndpoint, azurite.queueEndpoint, azurite.tableEndpoint].forEach((endpoint, i) => {
    const proxy = proxies[i];
    if (proxy) text = text.replace(new URL(endpoint).origin, proxy.url);
  });
  return text;
}
