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
import { benchDevice, FILE_PATH } from './evidence/target.js';
import { benchOptions, diskNeededBytes, goalsFor } from './evidence/options.js';
import { phaseRunner } from './evidence/phase.js';
import { formatReport, reportJson, type Report } from './evidence/report.js';
import { startBenchSimulator, type BenchSimulator } from './evidence/simulatorHost.js';

const HELP = `npm run bench:evidence -- [--size 3GB] [--concurrent N] [--json] [--simulator process|in-process] [--repeat N]

Serves generated files of --size from the Defender API SIMULATOR and
collects them into Azurite (a child process, data in a temporary folder)
through the real collector: result link -> SHA-256 of the gzip and of the
original -> staged blocks -> commit. In the same run it measures two
baselines: the same links downloaded raw to /dev/null, and a local file of
the same size uploaded with the SDK's uploadFile (same block size and
concurrency per file). Prints the three throughputs, ours / slower baseline,
and peak RSS (ours first, in a process that has moved no data yet), each
beside its goal.

--concurrent N (default 1) collects N files at once, one on each of N
devices: N collect messages handled at once in this one process, as the
Functions host runs up to 8 per instance (host.json maxConcurrentCalls).
Each baseline moves N files at once too (N raw downloads, N uploads of the
local file), so the figures compare like with like: aggregate throughput
(all bytes / the phase's wall time) and each file's own. Goals: peak RSS at
most 150 MiB for one file, 250 MiB for several (issue 16: 8 x 1 GiB); at
least 0.8 of the slower baseline either way.

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
(2.2 x N + 1) x size of free disk in TMPDIR (3.2 x size for one file); it
says so and stops before starting anything when there is less.`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      size: { type: 'string' },
      concurrent: { type: 'string' },
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
  const { sizeBytes, concurrent, simulator: where, repeat, json } = benchOptions(values);
  const files = Array.from({ length: concurrent }, (_, index) => index);
  const loadAtStart = loadavg()[0] ?? 0;
  const say = (line: string): void => void process.stderr.write(`${line}\n`);
  const work = mkdtempSync(path.join(tmpdir(), 'mde-bench-'));
  const free = statfsSync(work);
  const needed = diskNeededBytes(sizeBytes, concurrent);
  if (free.bavail * free.bsize < needed) {
    rmSync(work, { recursive: true, force: true });
    throw new Error(
      `not enough free disk in ${tmpdir()}: ${((free.bavail * free.bsize) / 2 ** 30).toFixed(1)} GiB free, about ${(needed / 2 ** 30).toFixed(1)} GiB needed for ${concurrent} file(s) of ${(sizeBytes / 2 ** 30).toFixed(2)} GiB (set TMPDIR to a larger disk, or lower --size or --concurrent)`,
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
    simulator = await startBenchSimulator(sizeBytes, concurrent, where, clock);
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

    // Each device runs its GetFile (simulated time jumps past their duration); each run is recorded as the poller would leave it.
    const commands = [{ type: 'GetFile' as const, params: [{ key: 'Path', value: FILE_PATH }] }];
    const actions = [];
    for (const index of files) {
      actions.push(await deps.defender.runLiveResponse(benchDevice(index).id, { Commands: commands, Comment: 'bench:evidence' }));
    }
    await simulator.advance(MINUTE_MS + Math.ceil(sizeBytes / (10 * 1024 * 1024)) * 1000);

    const phases = phaseRunner({ azurite: azurite.pid, simulator: simulator.pid }, say);
    const localFile = path.join(work, 'upload.bin');
    const runIdOf = (round: number, index: number): string => `b-evidence-${round}${concurrent > 1 ? `-${index + 1}` : ''}`;
    const uploadName = (round: number, index: number): string => `baseline/upload-${round}-${index + 1}.bin`;
    const storedBlob = async (runId: string): Promise<string> => (await deps.runs.getRun(runId))?.evidence[0]?.blobName ?? '';
    const rounds: Report['rounds'] = [];
    const at = (round: number, what: string): string =>
      `round ${round}/${repeat}, ${what}${concurrent > 1 ? ` (${concurrent} at once)` : ''}`;
    for (let round = 1; round <= repeat; round += 1) {
      // Each round collects the same results under new runs (new blobs); ours runs first, in a process that has moved no data yet.
      const messages = [];
      for (const index of files) {
        const [message] = await recordEndedAction(deps.runs, deps.defender, {
          runId: runIdOf(round, index),
          machineActionId: actions[index]?.id ?? '',
          deviceId: benchDevice(index).id,
          commands,
          nowMs: clock.nowMs(),
        });
        if (!message) throw new Error(`the simulated GetFile on device ${index + 1} did not complete`);
        messages.push(message);
      }
      const ours = await phases.run(
        at(round, 'ours: collect through the real collector path'),
        messages.map((message, index) => async () => {
          const delivery = { messageId: `bench-${round}-${index + 1}`, deliveryCount: 1 };
          const outcome = await handleCollectMessage(deps, { ...message, attempt: 0 }, delivery);
          if (outcome !== 'collected') throw new Error(`the collector answered ${outcome} for file ${index + 1}`);
          return (await deps.runs.getRun(message.runId))?.evidence[0]?.sizeBytes ?? 0;
        }),
      );
      const links = [];
      for (const action of actions) links.push(await deps.defender.getResultDownloadLink(action.id, 0));
      const download = await phases.run(
        at(round, 'baseline 1: raw download of the link to /dev/null'),
        links.map((link) => () => rawDownload(link)),
      );
      if (round === 1) {
        say('writing the local file for baseline 2 ...');
        await writeLocalFile(localFile, sizeBytes);
      }
      const upload = await phases.run(
        at(round, 'baseline 2: raw upload of a local file (SDK uploadFile)'),
        files.map(
          (index) => () =>
            rawUpload(
              container,
              uploadName(round, index),
              localFile,
              sizeBytes,
              config.evidence.blockSizeBytes,
              config.evidence.uploadConcurrency,
            ),
        ),
      );
      rounds.push({ ours, download, upload });
      for (const index of files) {
        if (round > 1) await container.getBlockBlobClient(await storedBlob(runIdOf(round, index))).deleteIfExists();
        await container.getBlockBlobClient(uploadName(round, index)).deleteIfExists();
      }
    }
    rmSync(localFile, { force: true });

    say("verifying the stored hashes against the simulator's source files ...");
    const checks = [];
    for (const index of files) {
      const item = (await deps.runs.getRun(runIdOf(1, index)))?.evidence[0];
      const source = await simulator.sourceFile(index);
      checks.push({ item, equal: item !== undefined && item.originalSha256 === source?.sha256 && item.originalSizeBytes === sizeBytes });
    }
    const verifiedFiles = checks.filter((c) => c.equal).length;
    const report: Report = {
      sizeBytes,
      concurrent,
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
      verified: verifiedFiles === concurrent,
      verifiedFiles,
      storedSha256: checks[0]?.item?.sha256 ?? '',
      originalSha256: checks[0]?.item?.originalSha256 ?? '',
      goals: goalsFor(concurrent),
    };
    process.stdout.write(json ? `${JSON.stringify(reportJson(report), null, 2)}\n` : `${formatReport(report)}\n`);
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
