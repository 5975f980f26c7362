import { QueueServiceClient } from '@azure/storage-queue';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { jsonLinesSink, type LogSink } from '../shared/log.js';
import { PROFILES, type Profile } from '../simulator/index.js';
import { listAlertFiles, readAlertFile } from './alertFiles.js';
import { startMetricsPrinter } from './metricsPrinter.js';
import { ProgressReporter } from './progress.js';
import { startLocalStack, type LocalStack } from './stack.js';
import { buildSummary, collectRunStatuses, formatSummary } from './summary.js';

const HELP = `npm start -- [options]

Runs the whole responder on this machine: Azurite (storage emulator) and the
Defender API SIMULATOR on loopback, the Function App's own handlers over
Azurite queues, the HTTP API on loopback. Demo alerts flow through the
pipeline; progress is shown as it happens and a summary says which device ran
which commands and where each collected file went (blob, size, SHA-256).

Options:
  --alerts PATH       a JSON alert file, or a folder of them, to inject instead of
                      the demo set (local/demo/alerts). Also skips the demo's
                      manual run. A file that is not JSON is sent as text and
                      dead-lettered with its reason.
  --fleet PATH        simulator fleet file (default local/fleets/demo.json)
  --profile P         the simulator's strictness: lenient or strict (default: the
                      fleet's options.profile, else lenient; simulator/README.md
                      "Strictness")
  --scale N           time scale: simulated time runs N times faster than the wall
                      clock, for the simulator and the responder's limits alike
                      (default 60: 10 calls per simulated minute = per wall second)
  --data DIR          Azurite data folder (default .local/azurite; wiped at start)
  --as NAME           the development principal every API call is made as
                      (default developer@localhost): local mode has no sign-in
  --roles LIST        its app roles, comma-separated (default all: Responder.Read,
                      Responder.Run, Responder.Cancel, Responder.Evidence,
                      Responder.Admin); try a route without its role to see a 403
  --exit-when-idle    exit when every run has ended: 0 if all ended as expected
                      (every run ended, every completed result collected, nothing
                      dead-lettered, no submission refused by Defender), 1 otherwise
  --json              print the final summary as JSON on stdout (progress and logs
                      go to stderr); npm prints its own banner on stdout, so use
                      npm start --silent -- --json when piping it
  --verbose           also print the responder's structured logs (stderr)
  --metrics           also print the responder's metrics every 10 seconds (stderr):
                      the instruments the Function App sends to Application
                      Insights (README "Logs and metrics")
  --help              this text

Without --exit-when-idle it keeps serving (HTTP API, queues) until Ctrl+C
(or SIGTERM), then prints the summary. Every way out stops Azurite and the
simulator.`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      alerts: { type: 'string' },
      fleet: { type: 'string' },
      profile: { type: 'string' },
      scale: { type: 'string' },
      data: { type: 'string' },
      as: { type: 'string' },
      roles: { type: 'string' },
      'exit-when-idle': { type: 'boolean' },
      json: { type: 'boolean' },
      verbose: { type: 'boolean' },
      metrics: { type: 'boolean' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  const scale = Number(values.scale ?? '60');
  if (!(scale > 0) || !Number.isFinite(scale)) throw new Error(`--scale: expected a positive number, got ${values.scale ?? ''}`);
  const profile = values.profile;
  if (profile !== undefined && !(PROFILES as readonly string[]).includes(profile))
    throw new Error(`--profile: expected ${PROFILES.join(' or ')}, got ${profile}`);
  const demo = values.alerts === undefined;
  const alertsPath = path.resolve(values.alerts ?? 'local/demo/alerts');
  const fleetPath = path.resolve(values.fleet ?? 'local/fleets/demo.json');
  const dataDir = path.resolve(values.data ?? '.local/azurite');
  const say = (line: string): void => void process.stderr.write(line + '\n');
  const logSink: LogSink = values.verbose ? jsonLinesSink('info') : jsonLinesSink('error');
  const printer = values.metrics ? startMetricsPrinter({ intervalMs: METRICS_PRINT_INTERVAL_MS, write: say }) : undefined;

  const alertFiles = await listAlertFiles(alertsPath);
  await rm(dataDir, { recursive: true, force: true });
  // The demo starts its simulated clock just before 02:00 UTC, so the nightly schedule fires during the demo.
  const startMs = demo ? demoStart() : undefined;
  say(
    `Starting Azurite (data in ${path.relative(process.cwd(), dataDir)}) and the Defender API simulator (a simulator, not Microsoft Defender), time scale ${scale}x ...`,
  );
  const stack = await startLocalStack({
    fleetPath,
    timeScale: scale,
    startMs,
    dataDir,
    logSink,
    ...(printer ? { metrics: printer.metrics } : {}),
    ...(profile === undefined ? {} : { simulatorProfile: profile as Profile }),
    settings: {
      ...(values.as === undefined ? {} : { DEV_PRINCIPAL_NAME: values.as }),
      ...(values.roles === undefined ? {} : { DEV_PRINCIPAL_ROLES: values.roles }),
    },
  });
  try {
    return await serve(stack, {
      alertFiles,
      demo,
      exitWhenIdle: values['exit-when-idle'] === true,
      json: values.json === true,
      dataDir,
      say,
    });
  } finally {
    // The last interval's metrics first: its gauges read the pacing record in Azurite.
    await printer?.stop();
    // Every way out (an error, a signal, --exit-when-idle) stops Azurite and the simulator; Azurite also
    // shuts itself down if this process dies without getting here (local/azurite.ts).
    await stack.stop();
  }
}

interface ServeOptions {
  alertFiles: string[];
  demo: boolean;
  exitWhenIdle: boolean;
  json: boolean;
  dataDir: string;
  say: (line: string) => void;
}

async function serve(stack: LocalStack, options: ServeOptions): Promise<number> {
  const { say } = options;
  const simulatedStartMs = stack.clock.nowMs();
  const startedWallMs = Date.now();
  say(`Defender API simulator: ${stack.simulator.url} (profile ${stack.simulator.profile})`);
  say(
    `HTTP API: ${stack.apiUrl}/api/runs   (POST {"playbook":"collect-hosts-file","devices":["<device id>"],"reason":"<why>"}, GET /api/runs/<runId>)`,
  );
  say(
    `  also: GET ${stack.apiUrl}/api/runs, /api/status, /api/playbooks, /api/deadletters, /api/audit; health (no sign-in): ${stack.apiUrl}/api/health; OpenAPI: ${stack.apiUrl}/api/openapi.json`,
  );
  say(`Console: ${stack.apiUrl}/api/console/   (open it in a browser: runs, a run's devices and evidence, start and cancel runs)`);
  const { auth } = stack.config;
  if (auth.mode === 'development')
    say(
      `  every call is made as the development principal ${auth.principal.name}, roles ${auth.principal.roles.join(', ') || 'none'} (--as, --roles); in Azure, App Service sign-in and app roles decide`,
    );

  for (const file of options.alertFiles) {
    const { body, json } = await readAlertFile(file);
    await stack.bus.send('alerts', { body, messageId: `inject-${path.basename(file)}` });
    say(`alert injected: ${path.relative(process.cwd(), file)}${json ? '' : ' (not JSON: sent as text, to be dead-lettered)'}`);
  }
  if (options.demo) await demoManualRun(stack, say);

  const progress = new ProgressReporter(say);
  let stopping = false;
  const stop = (): void => {
    stopping = true;
  };
  for (const signal of STOP_SIGNALS) process.once(signal, stop);
  try {
    let quietSince = 0;
    while (!stopping) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const statuses = await collectRunStatuses(stack.services);
      progress.update(statuses, stack.clock.nowMs() - simulatedStartMs);
      const idle = statuses.every((s) => s.phase === 'ended') && stack.consumer.inFlight === 0 && (await queuesEmpty(stack));
      quietSince = idle ? quietSince || Date.now() : 0;
      if (options.exitWhenIdle && idle && Date.now() - quietSince > 1_000) break;
    }
  } finally {
    for (const signal of STOP_SIGNALS) process.off(signal, stop);
  }
  const summary = await buildSummary(stack, startedWallMs, simulatedStartMs, path.relative(process.cwd(), options.dataDir));
  if (options.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
  else process.stdout.write(formatSummary(summary) + '\n');
  return summary.allEndedAsExpected ? 0 : 1;
}

/** Wall time between two metrics summaries of `--metrics`. */
const METRICS_PRINT_INTERVAL_MS = 10_000;

/** Signals that end a run cleanly: the summary is printed and everything started is stopped. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** True when no message is visible, hidden or scheduled on the pipeline's queues. */
async function queuesEmpty(stack: LocalStack): Promise<boolean> {
  const service = QueueServiceClient.fromConnectionString(stack.azurite.connectionString);
  for (const queue of Object.values(stack.bus.queues)) {
    const properties = await service.getQueueClient(queue).getProperties();
    if ((properties.approximateMessagesCount ?? 0) > 0) return false;
  }
  return true;
}

async function demoManualRun(stack: LocalStack, say: (line: string) => void): Promise<void> {
  const response = await fetch(`${stack.apiUrl}/api/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      playbook: 'collect-hosts-file',
      devices: ['2a7f0c3e9b1d4c6e8f0a2b4c6d8e0f1a3b5c7d9e'],
      reason: 'demo: manual collection',
    }),
  });
  say(`manual run requested over HTTP: POST /api/runs -> ${response.status} ${await response.text().then((t) => t.replace(/\s+/g, ' '))}`);
}

function demoStart(): number {
  const now = new Date();
  return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), 1, 58, 30);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
