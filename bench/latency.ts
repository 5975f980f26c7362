import { parseArgs } from 'node:util';
import { ScaledClock } from '../shared/clock.js';
import { buildApp } from '../shared/composition.js';
import { loadConfig } from '../shared/config.js';
import { DEFENDER_SCOPE } from '../shared/defender/port.js';
import { silentLogger } from '../shared/log.js';
import { startAzurite } from '../local/azurite.js';
import { startWorker, stopWorker } from '../local/workers.js';
import { SimulatorCredential, parseFleet, startSimulator, type RunningSimulator } from '../simulator/index.js';
import { formatLatencyReport, LATENCY_GOALS, percentile, type AlertLatency } from './latency/report.js';
import { latencyAlert, latencyFleet } from './latency/workload.js';
import { deviceIdOf, localBenchSettings } from './workload.js';

const HELP = `npm run bench:latency -- [--alerts N] [--spacing-ms N] [--json]

First response at time scale 1: N alerts (default 50), one at a time and
--spacing-ms apart (default 6,500: ten calls take 65 s, more than the quota's
61 s span of 10 calls, so the quota is never the limit), each on a device of
its own, go through one local worker (Azurite and the Defender API simulator
started here). For each alert: from its message sent to the alerts queue to
the runliveresponse POST as the simulator recorded it (the action's
creation time), and where the time went: until the alert was handled, then
until the POST. Prints p50, p95 and the worst beside the goal.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { alerts: { type: 'string' }, 'spacing-ms': { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' } },
  });
  if (values.help) return void process.stdout.write(HELP + '\n');
  const alerts = Number(values.alerts ?? 50);
  const spacingMs = Number(values['spacing-ms'] ?? 6_500);
  if (!Number.isInteger(alerts) || alerts < 1) throw new Error(`--alerts: expected a positive whole number, got ${values.alerts}`);
  if (!(spacingMs >= 0)) throw new Error(`--spacing-ms: expected a number of ms, got ${values['spacing-ms']}`);
  const say = (line: string): void => void process.stderr.write(line + '\n');

  const clock = new ScaledClock({ scale: 1 });
  const azurite = await startAzurite();
  const simulator = await startSimulator({ fleet: parseFleet(latencyFleet(alerts)), clock });
  const credential = new SimulatorCredential({ clock });
  try {
    const config = loadConfig(localBenchSettings(azurite.connectionString, simulator.url));
    const handledMs = new Map<string, number>();
    const worker = await startWorker(0, {
      config,
      clock,
      credential,
      logger: silentLogger,
      onEvent: (_, event) => {
        if (event.type === 'completed' && event.queue === 'alerts') handledMs.set(event.messageId, clock.nowMs());
      },
    });
    // The alert source: a sender of its own in this process (its sends wake the worker's consumer, as Service Bus hands
    // a trigger its message when it arrives).
    const source = await buildApp(config, { clock, credential, logger: silentLogger });
    try {
      await worker.services.refreshDeviceDirectory();
      say(`latency benchmark: ${alerts} alerts, ${spacingMs} ms apart, time x1 ...`);
      const sentMs = new Map<string, number>();
      for (let i = 0; i < alerts; i++) {
        const startedMs = clock.nowMs();
        sentMs.set(deviceIdOf(i), startedMs);
        await (source.storageQueueBus ?? fail('no storage-queue bus')).send('alerts', {
          body: latencyAlert(i, deviceIdOf(i)),
          messageId: `latency-${i}`,
        });
        const nextMs = startedMs + spacingMs;
        while (clock.nowMs() < nextMs) await new Promise((r) => setTimeout(r, Math.max(1, nextMs - clock.nowMs())));
      }
      const postedMs = await waitForActions(simulator, credential, alerts, 120_000);
      const measured: AlertLatency[] = [...sentMs].map(([deviceId, sent], i) => {
        const posted = postedMs.get(deviceId);
        const handled = handledMs.get(`latency-${i}`);
        return {
          deviceId,
          totalMs: posted === undefined ? Number.POSITIVE_INFINITY : posted - sent,
          ...(handled === undefined ? {} : { toHandledMs: handled - sent }),
          ...(handled === undefined || posted === undefined ? {} : { handledToPostMs: posted - handled }),
        };
      });
      const result = {
        alerts,
        spacingMs,
        p50Ms: percentile(
          measured.map((m) => m.totalMs),
          0.5,
        ),
        p95Ms: percentile(
          measured.map((m) => m.totalMs),
          0.95,
        ),
        maxMs: Math.max(...measured.map((m) => m.totalMs)),
        measured,
      };
      if (values.json) process.stdout.write(JSON.stringify({ goals: LATENCY_GOALS, result }, null, 2) + '\n');
      else process.stdout.write(formatLatencyReport(result) + '\n');
    } finally {
      await source.services.close();
      await stopWorker(worker);
    }
  } finally {
    await simulator.close();
    await azurite.stop();
  }
}

const fail = (message: string): never => {
  throw new Error(message);
};

/** Each device's runliveresponse POST as the simulator recorded it: the creation time of its one action. */
async function waitForActions(
  simulator: RunningSimulator,
  credential: SimulatorCredential,
  count: number,
  wallTimeoutMs: number,
): Promise<Map<string, number>> {
  const deadline = Date.now() + wallTimeoutMs;
  while (simulator.stats().actionsCreated < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const token = (await credential.getToken(DEFENDER_SCOPE))?.token ?? '';
  const created = new Map<string, number>();
  for (let url: string | undefined = `${simulator.url}/api/machineactions`; url;) {
    const page = (await (await fetch(url, { headers: { authorization: `Bearer ${token}` } })).json()) as {
      value: { machineId: string; creationDateTimeUtc: string }[];
      '@odata.nextLink'?: string;
    };
    for (const action of page.value) created.set(action.machineId, Date.parse(action.creationDateTimeUtc));
    url = page['@odata.nextLink'];
  }
  return created;
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
