import { mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startAzurite, type RunningAzurite } from '../local/azurite.js';
import { recordEndedAction } from '../test/helpers/recordedRun.js';
import { SimulatorCredential } from '../simulator/credential.js';
import { ManualClock, MINUTE_MS } from '../shared/clock.js';
import { loadConfig } from '../shared/config.js';
import { createLogger, jsonLinesSink } from '../shared/log.js';
import { handleCollectMessage } from '../shared/services/evidence/collector.js';
import {
  missingWorkerArguments,
  missingWorkerEnvironment,
  WORKER_ENVIRONMENT,
  WORKER_ENVIRONMENT_ASSIGNMENTS,
  WORKER_NODE_ARGUMENTS,
} from '../shared/workerRuntime.js';
import { rawDownload, rawUpload, writeLocalFile } from './evidence/baselines.js';
import { collectorStack } from './evidence/collectorStack.js';
import { DEVICE_ID, FILE_PATH } from './evidence/target.js';
import { phaseRunner } from './evidence/phase.js';
import { formatReport, reportJson, type Report } from './evidence/report.js';
import { startBenchSimulator, type BenchSimulator } from './evidence/simulatorHost.js';
import { parseSize } from './evidence/size.js';

const HELP = `npm run bench:evidence -- [--size 3GB] [--json] [--simulator process|in-process] [--repeat N]

Serves one generated file of --size from the Defender API SIMULATOR and
collects it into Azurite (a child process, data in a temporary folder) through
the real collector: result link -> SHA-256 of the gzip and of the original ->
staged blocks -> commit. In the same run it measures two baselines: the same
link downloaded raw to /dev/null, and a local file of the same size uploaded
with the SDK's uploadFile (same block size and concurrency). Prints the three
throughputs, ours / slower baseline, and peak RSS (ours first, in a process
that has moved no data yet).

--simulator process (default) runs the simulator in a child process, as
Defender is remote in production, so this process holds the collector alone;
--simulator in-process runs it in this process, so its CPU and memory count
as ours.

npm run bench:evidence starts it as the Function App's worker runs, through
local/appRuntime.js: with the Node arguments ${WORKER_NODE_ARGUMENTS.join(' ')}
and the environment ${WORKER_ENVIRONMENT_ASSIGNMENTS.join(' ')} (shared/workerRuntime.ts
explains them); run node dist/bench/evidence.js directly to measure Node's
and glibc's defaults instead (the report says which).

--repeat N runs the three phases N times (default 1) and reports each
phase's best round (the least disturbed by other work on the machine) with
every round listed, and the highest peak RSS. Block size and concurrency come
from EVIDENCE_BLOCK_SIZE_BYTES and EVIDENCE_UPLOAD_CONCURRENCY. Needs about
3.2 x size of free disk in TMPDIR.`;

const GOALS = { maxPeakRssBytes: 150 * 1024 * 1024, minRatio: 0.8 };

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      size: { type: 'string' },
      json: { type: 'boolean' },
      simulator: { type: 'string' },
      repeat: { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const sizeBytes = parseSize(values.size ?? '3GB');
  const where = values.simulator ?? 'process';
  if (where !== 'in-process' && where !== 'process') throw new Error(`--simulator: expected in-process or process, got ${where}`);
  const repeat = Number(values.repeat ?? '1');
  if (!Number.isInteger(repeat) || repeat < 1) throw new Error(`--repeat: expected a whole number of rounds, got ${values.repeat ?? ''}`);
  const loadAtStart = loadavg()[0] ?? 0;
  const say = (line: string): void => void process.stderr.write(`${line}\n`);
  const work = mkdtempSync(path.join(tmpdir(), 'mde-bench-'));
  const free = statfsSync(work);
  if (free.bavail * free.bsize < sizeBytes * 3.2) {
    rmSync(work, { recursive: true, force: true });
    throw new Error(
      `not enough free disk in ${tmpdir()}: ${((free.bavail * free.bsize) / 2 ** 30).toFixed(1)} GiB free, about ${((sizeBytes * 3.2) / 2 ** 30).toFixed(1)} GiB needed`,
    );
  }
  let azurite: RunningAzurite | undefined;
  let simulator: BenchSimulator | undefined;
  const cleanUp = async (): Promise<void> => {
    await simulator?.close().catch(() => undefined);
    await azurite?.stop();
    rmSync(work, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void cleanUp().finally(() => process.exit(130)));
  try {
    say(`Starting Azurite (data in ${work}) and the Defender API simulator (not Microsoft Defender, ${where}) ...`);
    azurite = await startAzurite({ location: path.join(work, 'azurite') });
    const clock = new ManualClock(Date.now());
    simulator = await startBenchSimulator(sizeBytes, where, clock);
    const config = loadConfig({
      STORAGE_CONNECTION_STRING: azurite.connectionString,
      BUS_KIND: 'storage-queues',
      DEFENDER_API_BASE_URL: simulator.url,
      DEFENDER_ALLOW_HTTP_LOOPBACK: 'true',
      EVIDENCE_BLOCK_SIZE_BYTES: process.env.EVIDENCE_BLOCK_SIZE_BYTES,
      EVIDENCE_UPLOAD_CONCURRENCY: process.env.EVIDENCE_UPLOAD_CONCURRENCY,
    });
    const { deps, container } = await collectorStack(
      config,
      clock,
      createLogger(jsonLinesSink('warn')),
      new SimulatorCredential({ clock }),
    );

    // The device runs the GetFile (simulated time jumps past its duration); the run is recorded as the poller would leave it.
    const commands = [{ type: 'GetFile' as const, params: [{ key: 'Path', value: FILE_PATH }] }];
    const action = await deps.defender.runLiveResponse(DEVICE_ID, { Commands: commands, Comment: 'bench:evidence' });
    await simulator.advance(MINUTE_MS + Math.ceil(sizeBytes / (10 * 1024 * 1024)) * 1000);

    const phases = phaseRunner({ azurite: azurite.pid, simulator: simulator.pid }, say);
    const localFile = path.join(work, 'upload.bin');
    const rounds: Report['rounds'] = [];
    for (let round = 1; round <= repeat; round += 1) {
      // Each round collects the same result under a new run (a new blob); ours runs first, in a process that has moved no data yet.
      const runId = `b-evidence-${round}`;
      const [message] = await recordEndedAction(deps.runs, deps.defender, {
        runId,
        machineActionId: action.id,
        deviceId: DEVICE_ID,
        commands,
        nowMs: clock.nowMs(),
      });
      if (!message) throw new Error('the simulated GetFile did not complete');
      const ours = await phases.run(`round ${round}/${repeat}, ours: collect through the real collector path`, async () => {
        const outcome = await handleCollectMessage(deps, { ...message, attempt: 0 }, { messageId: `bench-${round}`, deliveryCount: 1 });
        if (outcome !== 'collected') throw new Error(`the collector answered ${outcome}`);
        return (await deps.runs.getRun(runId))?.evidence[0]?.sizeBytes ?? 0;
      });
      const download = await phases.run(`round ${round}/${repeat}, baseline 1: raw download of the link to /dev/null`, async () =>
        rawDownload(await deps.defender.getResultDownloadLink(action.id, 0)),
      );
      if (round === 1) {
        say('writing the local file for baseline 2 ...');
        await writeLocalFile(localFile, sizeBytes);
      }
      const upload = await phases.run(`round ${round}/${repeat}, baseline 2: raw upload of a local file (SDK uploadFile)`, () =>
        rawUpload(
          container,
          `baseline/upload-${round}.bin`,
          localFile,
          sizeBytes,
          config.evidence.blockSizeBytes,
          config.evidence.uploadConcurrency,
        ),
      );
      rounds.push({ ours, download, upload });
      if (round > 1) await container.getBlockBlobClient((await deps.runs.getRun(runId))?.evidence[0]?.blobName ?? '').deleteIfExists();
      await container.getBlockBlobClient(`baseline/upload-${round}.bin`).deleteIfExists();
    }
    rmSync(localFile, { force: true });

    say("verifying the stored hashes against the simulator's source file ...");
    const item = (await deps.runs.getRun('b-evidence-1'))?.evidence[0];
    const source = await simulator.sourceFile();
    const report: Report = {
      sizeBytes,
      cpus: cpus().length,
      node: process.version,
      loadAverage: { start: loadAtStart, end: loadavg()[0] ?? 0 },
      simulator: where,
      nodeArguments: { used: [...process.execArgv], app: [...WORKER_NODE_ARGUMENTS], missing: missingWorkerArguments() },
      environment: {
        used: Object.keys(WORKER_ENVIRONMENT).map((name) =>
          process.env[name] === undefined ? `${name} unset` : `${name}=${process.env[name]}`,
        ),
        app: [...WORKER_ENVIRONMENT_ASSIGNMENTS],
        missing: missingWorkerEnvironment(),
      },
      blockSizeBytes: config.evidence.blockSizeBytes,
      concurrency: config.evidence.uploadConcurrency,
      rounds,
      rssMethod: phases.method(),
      verified: item?.originalSha256 === source?.sha256 && item?.originalSizeBytes === sizeBytes,
      storedSha256: item?.sha256 ?? '',
      originalSha256: item?.originalSha256 ?? '',
      goals: GOALS,
    };
    process.stdout.write(values.json ? `${JSON.stringify(reportJson(report), null, 2)}\n` : `${formatReport(report)}\n`);
    return report.verified ? 0 : 1;
  } finally {
    await cleanUp();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench:evidence failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
