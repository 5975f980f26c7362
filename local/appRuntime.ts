import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { pathToFileURL } from 'node:url';
import { WORKER_ENVIRONMENT, WORKER_ENVIRONMENT_ASSIGNMENTS, WORKER_NODE_ARGUMENTS } from '../shared/workerRuntime.js';

const USAGE = `node dist/local/appRuntime.js <script.js> [arguments...]

Runs a script with Node.js as the Function App's worker runs: with the Node
arguments (${WORKER_NODE_ARGUMENTS.join(' ')}) and environment
(${WORKER_ENVIRONMENT_ASSIGNMENTS.join(' ')}) of
shared/workerRuntime.ts, which explains them. npm start and
npm run bench:evidence use it. Exits with the script's exit code.`;

export interface AppRuntimeOptions {
  /** The child's environment before the worker's is added (default: process.env). */
  env?: NodeJS.ProcessEnv;
}

/**
 * Runs `script` in a child Node.js process started with the worker's Node
 * arguments and environment (a glibc setting must be in the environment
 * before the process starts, so it cannot be applied to this one), with this
 * process's stdio. Resolves with its exit code (128 + the signal's number if
 * a signal ended it).
 *
 * Ctrl+C reaches the child directly (the terminal signals the whole process
 * group), so SIGINT is not forwarded, only ignored here while the child
 * cleans up; SIGTERM and SIGHUP sent to this process are passed on.
 */
export function runWithAppRuntime(script: string, args: readonly string[], options: AppRuntimeOptions = {}): Promise<number> {
  // This process's own Node arguments are not passed on (an --inspect port would clash); NODE_OPTIONS is.
  const child = spawn(process.execPath, [...WORKER_NODE_ARGUMENTS, script, ...args], {
    stdio: 'inherit',
    env: { ...(options.env ?? process.env), ...WORKER_ENVIRONMENT },
  });
  const ignore = (): void => undefined;
  const forward = (signal: NodeJS.Signals): void => void child.kill(signal);
  process.on('SIGINT', ignore);
  process.on('SIGTERM', forward);
  process.on('SIGHUP', forward);
  return new Promise<number>((resolve, reject) => {
    const done = (): void => {
      process.off('SIGINT', ignore);
      process.off('SIGTERM', forward);
      process.off('SIGHUP', forward);
    };
    child.once('error', (error) => {
      done();
      reject(error);
    });
    child.once('exit', (code, signal) => {
      done();
      resolve(code ?? 128 + (signal ? constants.signals[signal] : 0));
    });
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [script, ...args] = process.argv.slice(2);
  if (script === undefined || script === '--help') {
    process.stdout.write(`${USAGE}\n`);
    process.exit(script === undefined ? 2 : 0);
  }
  runWithAppRuntime(script, args).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`could not start ${script}: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
