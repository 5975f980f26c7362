import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { ScaledClock } from '../../shared/clock.js';
import type { LogLevel } from '../../shared/log.js';
import { WORKER_READY_MESSAGE, workerProcessEnvironment } from '../../local/workerProcess.js';
import { WORKER_ENVIRONMENT, WORKER_NODE_ARGUMENTS } from '../../shared/workerRuntime.js';

/** The worker entry beside this module's build: compiled JavaScript, or TypeScript through tsx (tests). */
function workerCommand(): string[] {
  const compiled = new URL('../../local/workerProcess.js', import.meta.url).pathname;
  if (existsSync(compiled)) return [compiled];
  return ['--import', 'tsx', new URL('../../local/workerProcess.ts', import.meta.url).pathname];
}

export interface WorkerProcessPool {
  readonly size: number;
  /** Ends a worker with SIGKILL (no clean-up: its messages stay hidden until their visibility time-out) and starts a new one in its place. */
  killAndRestart(index: number): Promise<void>;
  /** Stops every worker (SIGTERM, then SIGKILL after a grace). */
  stop(): Promise<void>;
}

/**
 * Responder workers, each a child process (local/workerProcess.ts) with the
 * responder's settings in its environment and the parent's scaled clock.
 * Every line a worker writes (JSON log lines) goes to `onLine`.
 */
export async function startWorkerProcesses(options: {
  count: number;
  settings: Record<string, string>;
  clock: ScaledClock;
  logLevel: LogLevel;
  /** How long (wall seconds) a message stays hidden while a worker handles it. */
  lockSeconds: number;
  onLine: (worker: number, line: string) => void;
  readyTimeoutMs?: number;
}): Promise<WorkerProcessPool> {
  const children: (ChildProcess | undefined)[] = [];
  const start = (index: number): Promise<ChildProcess> => {
    const child = spawn(process.execPath, [...WORKER_NODE_ARGUMENTS, ...workerCommand()], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH,
        ...WORKER_ENVIRONMENT,
        ...options.settings,
        ...workerProcessEnvironment(options.clock, index, { logLevel: options.logLevel, lockSeconds: options.lockSeconds }),
      },
    });
    children[index] = child;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker ${index} not ready`)), options.readyTimeoutMs ?? 60_000);
      for (const stream of [child.stdout, child.stderr]) {
        if (!stream) continue;
        createInterface({ input: stream }).on('line', (line) => {
          options.onLine(index, line);
          if (line.includes(WORKER_READY_MESSAGE)) {
            clearTimeout(timer);
            resolve(child);
          }
        });
      }
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`worker ${index} exited before it was ready (${signal ?? code ?? ''})`));
      });
    });
  };
  const exited = (child: ChildProcess): Promise<void> =>
    child.exitCode !== null || child.signalCode !== null
      ? Promise.resolve()
      : new Promise((resolve) => child.once('exit', () => resolve()));

  await Promise.all(Array.from({ length: options.count }, (_, i) => start(i)));
  return {
    size: options.count,
    async killAndRestart(index) {
      const child = children[index];
      if (child) {
        child.kill('SIGKILL');
        await exited(child);
      }
      await start(index);
    },
    async stop() {
      await Promise.all(
        children.map(async (child) => {
          if (!child) return;
          const grace = setTimeout(() => child.kill('SIGKILL'), 10_000);
          child.kill('SIGTERM');
          await exited(child);
          clearTimeout(grace);
        }),
      );
    },
  };
}
