import { fork } from 'node:child_process';
import type { ManualClock } from '../../shared/clock.js';
import { WORKER_NODE_ARGUMENTS, withoutWorkerEnvironment } from '../../shared/workerRuntime.js';
import { benchDevice, FILE_PATH } from './target.js';

/** The simulator serving the benchmark's files (one per device), in this process or in a child process. */
export interface BenchSimulator {
  url: string;
  /** The child's pid when the simulator runs apart. */
  pid?: number;
  /** Moves simulated time forward (the simulator's clock and the responder's alike). */
  advance(ms: number): Promise<void>;
  /** The SHA-256 and size of device `index`'s file. */
  sourceFile(index: number): Promise<{ sha256: string; sizeBytes: number } | undefined>;
  close(): Promise<void>;
}

export async function startBenchSimulator(
  sizeBytes: number,
  devices: number,
  where: 'in-process' | 'process',
  clock: ManualClock,
): Promise<BenchSimulator> {
  if (where === 'in-process') {
    // Loaded only here, so that with the simulator apart this process holds none of its code.
    const [{ startSimulator }, { benchFleet }] = await Promise.all([import('../../simulator/index.js'), import('./fleet.js')]);
    const simulator = await startSimulator({ fleet: benchFleet(sizeBytes, devices), clock });
    return {
      url: simulator.url,
      advance: (ms) => Promise.resolve(clock.advance(ms)),
      sourceFile: (index) => Promise.resolve(simulator.sourceFile(benchDevice(index).id, FILE_PATH)),
      close: () => simulator.close(),
    };
  }
  return forkSimulator(sizeBytes, devices, clock);
}

async function forkSimulator(sizeBytes: number, devices: number, clock: ManualClock): Promise<BenchSimulator> {
  // The simulator stands in for Defender, not for our worker: the app's Node arguments and environment are not passed on to it.
  const execArgv = process.execArgv.filter((argument) => !WORKER_NODE_ARGUMENTS.includes(argument));
  const child = fork(new URL('./simulatorChild.js', import.meta.url), [String(sizeBytes), String(devices), String(clock.nowMs())], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv,
    env: withoutWorkerEnvironment(process.env),
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (m: { url: string }) => resolve(m.url));
    child.once('exit', (code) => reject(new Error(`the simulator process exited with code ${code}`)));
  });
  let next = 0;
  const ask = <T>(request: Record<string, unknown>): Promise<T> =>
    new Promise((resolve) => {
      const id = (next += 1);
      const onMessage = (m: { id?: number } & T): void => {
        if (m.id !== id) return;
        child.off('message', onMessage);
        resolve(m);
      };
      child.on('message', onMessage);
      child.send({ id, ...request });
    });
  return {
    url,
    pid: child.pid,
    advance: async (ms) => {
      await ask({ advanceMs: ms });
      clock.advance(ms);
    },
    sourceFile: async (index) => (await ask<{ sourceFile?: { sha256: string; sizeBytes: number } }>({ sourceFile: index })).sourceFile,
    close: async () => {
      if (child.exitCode !== null) return;
      await ask({ close: true });
    },
  };
}
