import { parseArgs } from 'node:util';
import type { ChaosRates } from './chaos/faultInjection.js';
import { formatChaosReport } from './chaos/report.js';
import { runChaos, type ChaosOptions } from './chaos/runChaos.js';

const HELP = `npm run chaos -- [--alerts N] [--devices N] [--workers N] [--scale N] [--fault-window S] [--deadline S] [--logs FILE] [--json]

The fault suite: the whole pipeline on Azurite and the Defender API
simulator, with N responder workers each in a process of its own, fed
--alerts alerts of the three shapes (test/fixtures/alerts) over --devices
devices (20% offline for the first 15 simulated minutes), a manual run
(POST /api/runs, 20 devices) and a nightly schedule (every 20th device),
while it injects faults for --fault-window wall seconds:
  - kill -9 of a random worker every 30-60 s (restarted at once; its
    messages reappear after their 30 s lock);
  - Defender API: the simulator's 500s (2 every 15 s), connection resets
    (1% of calls), 3 s slow answers (2%), a POST that Defender commits but
    whose answer is lost (1% of POSTs), list lag (new actions unlisted for
    2.5 simulated minutes), another app sharing the tenant's quota (an
    occasional 429);
  - storage, through a fault proxy in front of each Azurite endpoint: 503
    ServerBusy (1% of requests), resets (0.5%), 3 s delays (0.5%), and
    writes committed whose answer is lost (0.5% of writes).
Then it waits until every run has ended (or --deadline wall seconds since
the start) and checks, from the simulator's own records, storage and every
log line written: alerts with exactly one final outcome, Defender actions
per intent, completed actions whose evidence was not collected, blobs whose
SHA-256 differs from the device file, the share of calls answered 429,
secrets or result links in logs, runs not ended. Each figure is printed
beside its goal; the exit code is 0 when every goal is met.

The run lowers RECONCILE_STALE_MS to 10 simulated minutes (default 2 h) so
the reconciliation sweep acts within it. Time runs --scale times faster than
the wall clock (default 30).

Options:
  --alerts N          alerts to feed (default 300)
  --devices N         fleet size (default 200)
  --workers N         worker processes (default 3, at least 1)
  --scale N           time scale (default 30)
  --fault-window S    wall seconds of faults (default 240)
  --deadline S        wall seconds after which the checks run anyway (default 600)
  --logs FILE         also write every log line (after its source: host, worker-N) to FILE
  --json              the figures as JSON on stdout (progress on stderr)
  --help              this text`;

const RATES: ChaosRates = {
  killEveryWallS: [30, 60],
  storage: { busy: 0.01, reset: 0.005, delay: 0.005, ambiguousWrite: 0.005 },
  defender: { reset: 0.01, delay: 0.02, ambiguousWrite: 0.01 },
  simulator5xxEveryWallS: 15,
  simulator5xxBurst: 2,
};

function positive(name: string, text: string | undefined, fallback: number): number {
  const value = Number(text ?? fallback);
  if (!(value > 0) || !Number.isFinite(value)) throw new Error(`--${name}: expected a positive number, got ${text ?? ''}`);
  return value;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      alerts: { type: 'string' },
      devices: { type: 'string' },
      workers: { type: 'string' },
      scale: { type: 'string' },
      'fault-window': { type: 'string' },
      deadline: { type: 'string' },
      logs: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  const devices = Math.floor(positive('devices', values.devices, 200));
  const options: ChaosOptions = {
    workload: { devices, offlineShare: 0.2, offlineUntilMaxMs: 15 * 60_000, scriptMs: 60_000, outputBytes: 64 * 1024, nightlyEvery: 20 },
    alerts: Math.floor(positive('alerts', values.alerts, 300)),
    manualDevices: Math.min(20, devices),
    workers: Math.floor(positive('workers', values.workers, 3)),
    timeScale: positive('scale', values.scale, 30),
    plan: 'random',
    rates: RATES,
    faultWindowWallS: positive('fault-window', values['fault-window'], 240),
    deadlineWallS: positive('deadline', values.deadline, 600),
    listLagMs: 150_000,
    reconcileStaleMs: 10 * 60_000,
    lockSeconds: 30,
    delayMs: 3_000,
    logLevel: 'debug',
    ...(values.logs === undefined ? {} : { logFile: values.logs }),
    say: (line) => void process.stderr.write(line + '\n'),
  };
  const result = await runChaos(options);
  if (values.json) process.stdout.write(JSON.stringify({ options: { ...options, say: undefined }, ...result }, null, 2) + '\n');
  else process.stdout.write(formatChaosReport(options, result) + '\n');
  return result.allGoalsMet ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(2);
  },
);
