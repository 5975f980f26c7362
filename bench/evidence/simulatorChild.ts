import { ManualClock } from '../../shared/clock.js';
import { startSimulator } from '../../simulator/index.js';
import { benchFleet } from './fleet.js';
import { benchDevice, FILE_PATH } from './target.js';

/**
 * The benchmark's simulator in a process of its own (`--simulator process`),
 * driven over IPC: so the benchmark process holds the collector alone, as
 * in production, where Defender is remote.
 */
type Request = { id: number; advanceMs?: number; sourceFile?: number; close?: true };

const [sizeArg, devicesArg, startArg] = process.argv.slice(2);
const clock = new ManualClock(Number(startArg));
const simulator = await startSimulator({ fleet: benchFleet(Number(sizeArg), Number(devicesArg)), clock });
const reply = (message: unknown): void => void process.send?.(message);

process.on('message', (request: Request) => {
  if (request.advanceMs !== undefined) clock.advance(request.advanceMs);
  if (request.sourceFile !== undefined)
    return reply({ id: request.id, sourceFile: simulator.sourceFile(benchDevice(request.sourceFile).id, FILE_PATH) });
  if (request.close)
    return void simulator.close().finally(() => {
      reply({ id: request.id });
      process.exit(0);
    });
  reply({ id: request.id });
});
reply({ url: simulator.url });
