import { QueueServiceClient } from '@azure/storage-queue';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import { parseArgs } from 'node:util';
import { ScaledClock } from '../shared/clock.js';
import { encodeEnvelope } from '../shared/azure/queueEnvelope.js';
import { buildApp } from '../shared/composition.js';
import { loadConfig } from '../shared/config.js';
import { silentLogger } from '../shared/log.js';
import type { ExpectedOutcome } from '../shared/bus/settleExpected.js';
import type { AlertOutcome } from '../shared/services/intake/alertIntake.js';
import { startAzurite, type RunningAzurite } from '../local/azurite.js';
import { QueueConsumer } from '../local/queueConsumer.js';
import { SimulatorCredential, parseFleet, startSimulator, type SimulatorStats } from '../simulator/index.js';
import { CountingPacingStore } from './countingPacingStore.js';
import { cpuSecondsOf } from './evidence/memory.js';
import { positiveWhole } from './flags.js';
import { ALERT_SHAPES, alertStorm, type AlertShape } from './triage/alertMessages.js';
import { formatTriageReport, TRIAGE_GOALS, type TriageResult } from './triage/report.js';
import { deviceIdOf, localBenchSettings } from './workload.js';

const HELP = `npm run bench:triage -- [--alerts N] [--devices N] [--one-azurite] [--json]

Alert intake through the real adapters on Azurite (started here, on ports the
OS chooses): N alert messages (default 10,000) in the three accepted shapes,
20% of them an earlier alert redelivered or updated, are put on the alerts
queue; then one local consumer (8 handlers at once, as one Function instance)
takes them: each is normalised, deduplicated, matched to a playbook, planned,
its run recorded (Table run store), its send slot booked when there is room
(Table pacing store) and its submission queued (Storage-queue bus). The
device directory is filled once beforehand from the Defender API simulator's
fleet (--devices, default 1,000); no Defender call is expected per alert.
Prints alerts per minute, Defender calls, and reads and writes of the
tenant-wide pacing record per alert, each beside its goal; and, to show where
the time goes, requests to Azurite and CPU milliseconds (this process, each
Azurite) per alert.

The actions queue is on a second Azurite of its own: Azurite's queue service
rebuilds the indexes of every message it holds, in every queue, each time it
deletes one, so the submissions waiting on the actions queue for their send
slots (scheduled, not yet visible) would make every alert message's delete
slower as they pile up; Storage queues and Service Bus do not. --one-azurite
keeps every queue on one Azurite, as npm start does.`;

const CONCURRENCY = 8;

/**
 * Alert messages on the queue ahead of the consumer, at most. Azurite's queue receive scans the whole
 * queue (about 8 ms for 32 messages of a 100-message queue, 108 ms at 10,000, measured here), which
 * Service Bus does not: a backlog of 10,000 would measure the emulator, not intake.
 */
const BACKLOG = 256;
/** Alert messages sent at once by the benchmark's feeder. */
const SEND_WIDTH = 16;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      alerts: { type: 'string' },
      devices: { type: 'string' },
      'one-azurite': { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return void process.stdout.write(HELP + '\n');
  const alerts = positiveWhole('--alerts', values.alerts, 10_000);
  const devices = positiveWhole('--devices', values.devices, 1_000);
  const say = (line: string): void => void process.stderr.write(line + '\n');

  const clock = new ScaledClock({ scale: 1 });
  const azurite = await startAzurite();
  const actionsAzurite: RunningAzurite | undefined = values['one-azurite'] ? undefined : await startAzurite();
  const simulator = await startSimulator({
    fleet: parseFleet({
      name: `triage-${devices}`,
      devices: Array.from({ length: devices }, (_, i) => ({
        id: deviceIdOf(i),
        computerDnsName: `bench-${i}.contoso.local`,
        osPlatform: 'Windows11',
      })),
    }),
    clock,
  });
  try {
    const config = loadConfig(localBenchSettings(azurite.connectionString, simulator.url));
    let counting: CountingPacingStore | undefined;
    const built = await buildApp(config, {
      clock,
      credential: new SimulatorCredential({ clock }),
      logger: silentLogger,
      wrapPacingStore: (store) => (counting = new CountingPacingStore(store)),
      wrapQueueService: (service) =>
        actionsAzurite ? onItsOwn(service, config.bus.queues.actions, actionsAzurite.connectionString) : service,
    });
    const bus = built.storageQueueBus;
    if (!bus || !counting) throw new Error('the benchmark needs the storage-queue bus');
    const { services } = built;
    // As the Function App's directory timer does before alerts arrive.
    await services.refreshDeviceDirectory();

    const messages = alertStorm(alerts, deviceIdOf, devices);
    say(`triage benchmark: ${alerts} alert messages on ${devices} devices ...`);
    const defenderBefore = totalCalls(simulator.stats());
    counting.reset();
    const outcomes: Record<string, number> = {};
    let runsCreated = 0;
    let completed = 0;
    let failed = 0;
    const consumer = new QueueConsumer(bus, {
      concurrency: CONCURRENCY,
      pollIntervalMs: 250,
      onEvent: (event) => {
        if (event.queue !== 'alerts') return;
        if (event.type === 'completed') completed += 1;
        if (event.type === 'failed' || event.type === 'deadLettered') failed += 1;
      },
    });
    // What functions/alerts.ts runs, keeping the whole outcome to count it.
    consumer.register('alerts', async (body, delivery) => {
      const outcome = await services.alerts(body, delivery);
      for (const one of flatten(outcome)) {
        outcomes[one.kind] = (outcomes[one.kind] ?? 0) + 1;
        if (one.kind === 'started') runsCreated += one.created.filter(Boolean).length;
      }
    });
    // Alerts come from outside (Defender's streaming export, a Logic App): one queue write each, without the
    // responder's own duplicate detection, which guards the messages it sends itself.
    const alertQueue = QueueServiceClient.fromConnectionString(azurite.connectionString).getQueueClient(config.bus.queues.alerts);
    const requests = countRequests({ azurite: endpointsOf(azurite), actionsAzurite: endpointsOf(actionsAzurite) });
    const cpuBefore = { responder: process.cpuUsage(), azurite: cpuOf(azurite), actionsAzurite: cpuOf(actionsAzurite) };
    const startMs = Date.now();
    consumer.start();
    // Alerts arrive as fast as they are taken, at most BACKLOG ahead (see BACKLOG).
    for (let sent = 0; sent < alerts;) {
      if (sent - completed - failed >= BACKLOG) {
        await new Promise((r) => setTimeout(r, 2));
        continue;
      }
      const batch = messages.slice(sent, sent + SEND_WIDTH);
      await Promise.all(
        batch.map((m, j) =>
          alertQueue.sendMessage(
            encodeEnvelope({ messageId: `triage-${sent + j}`, properties: {}, body: m.body, enqueuedMs: clock.nowMs() }),
          ),
        ),
      );
      sent += batch.length;
    }
    while (completed + failed < alerts) await new Promise((r) => setTimeout(r, 2));
    const elapsedMs = Date.now() - startMs;
    const responderCpu = process.cpuUsage(cpuBefore.responder);
    const cpuMsPerAlert = {
      responder: (responderCpu.user + responderCpu.system) / 1000 / alerts,
      azurite: perAlert(cpuOf(azurite), cpuBefore.azurite, alerts),
      ...(actionsAzurite ? { actionsAzurite: perAlert(cpuOf(actionsAzurite), cpuBefore.actionsAzurite, alerts) } : {}),
    };
    const requestCounts = requests.stop();
    await consumer.stop();

    const result: TriageResult = {
      alerts,
      byShape: countBy(ALERT_SHAPES, messages, (m) => m.shape),
      repeats: {
        redelivered: messages.filter((m) => m.kind === 'redelivered').length,
        updated: messages.filter((m) => m.kind === 'updated').length,
      },
      devices,
      concurrency: CONCURRENCY,
      elapsedMs,
      alertsPerMinute: (alerts / elapsedMs) * 60_000,
      outcomes,
      runsCreated,
      actionMessagesQueued: await approximateCount((actionsAzurite ?? azurite).connectionString, config.bus.queues.actions),
      actionsQueue: actionsAzurite ? 'own-azurite' : 'shared-azurite',
      azuriteRequestsPerAlert: {
        azurite: requestCounts.azurite / alerts,
        ...(actionsAzurite ? { actionsAzurite: requestCounts.actionsAzurite / alerts } : {}),
      },
      cpuMsPerAlert,
      defenderCalls: totalCalls(simulator.stats()) - defenderBefore,
      pacingReads: counting.reads,
      pacingWrites: counting.writes,
      failed,
      backlog: BACKLOG,
    };
    await services.close();
    if (values.json) process.stdout.write(JSON.stringify({ goals: TRIAGE_GOALS, result }, null, 2) + '\n');
    else process.stdout.write(formatTriageReport(result) + '\n');
  } finally {
    await simulator.close();
    await azurite.stop();
    await actionsAzurite?.stop();
  }
}

const flatten = (outcome: AlertOutcome | ExpectedOutcome): (AlertOutcome | ExpectedOutcome)[] =>
  outcome.kind === 'batch' ? outcome.outcomes.flatMap(flatten) : [outcome];

function countBy<T>(keys: readonly AlertShape[], items: readonly T[], keyOf: (item: T) => AlertShape): Record<AlertShape, number> {
  const counts = Object.fromEntries(keys.map((k) => [k, 0])) as Record<AlertShape, number>;
  for (const item of items) counts[keyOf(item)] += 1;
  return counts;
}

const totalCalls = (stats: SimulatorStats): number => Object.values(stats.calls).reduce((a, b) => a + (b ?? 0), 0);

/** `service`, except that the queue named `queue` is on the storage account of `connectionString`. */
function onItsOwn(service: QueueServiceClient, queue: string, connectionString: string): QueueServiceClient {
  const other = QueueServiceClient.fromConnectionString(connectionString);
  const own = service.getQueueClient.bind(service);
  service.getQueueClient = (name: string) => (name === queue ? other.getQueueClient(name) : own(name));
  return service;
}

const cpuOf = (running: RunningAzurite | undefined): number | undefined =>
  running?.pid === undefined ? undefined : cpuSecondsOf(running.pid);

/** CPU ms per alert between two readings of a process's CPU seconds; undefined where /proc is not there. */
function perAlert(after: number | undefined, before: number | undefined, alerts: number): number | undefined {
  return after === undefined || before === undefined ? undefined : ((after - before) * 1000) / alerts;
}

const endpointsOf = (running: RunningAzurite | undefined): string[] =>
  running ? [running.blobEndpoint, running.queueEndpoint, running.tableEndpoint] : [];

/**
 * Counts the HTTP requests this process starts to each named group of
 * endpoints, by host and port (Node's `http.client.request.start` diagnostics
 * channel, which the Azure SDK's requests go through), until stopped.
 */
function countRequests<K extends string>(endpoints: Record<K, string[]>): { stop: () => Record<K, number> } {
  const hosts = Object.entries<string[]>(endpoints).flatMap(([name, urls]) => urls.map((url) => [new URL(url).host, name] as const));
  const counts = Object.fromEntries(Object.keys(endpoints).map((k) => [k, 0])) as Record<K, number>;
  const onStart = (message: unknown): void => {
    const request = (message as { request?: ClientRequest }).request;
    const host = request?.getHeader('host');
    const name = hosts.find(([h]) => h === host)?.[1] as K | undefined;
    if (name !== undefined) counts[name] += 1;
  };
  subscribe('http.client.request.start', onStart);
  return {
    stop: () => {
      unsubscribe('http.client.request.start', onStart);
      return counts;
    },
  };
}

async function approximateCount(connectionString: string, queue: string): Promise<number> {
  const properties = await QueueServiceClient.fromConnectionString(connectionString).getQueueClient(queue).getProperties();
  return properties.approximateMessagesCount ?? 0;
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
