import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseFleet, type Fleet, type FleetInput } from '../../simulator/index.js';
import { FILE_PATH } from './target.js';

/** The bench fleet (bench/fleets/evidence.json) with its one file resized; the simulator's GetFile cap raised if needed. */
export function benchFleet(sizeBytes: number): Fleet {
  const file = path.resolve('bench/fleets/evidence.json');
  const fleet = JSON.parse(readFileSync(file, 'utf8')) as FleetInput & {
    devices: { files: Record<string, { generator: { sizeBytes: number } }> }[];
  };
  const spec = fleet.devices[0]?.files[FILE_PATH];
  if (!spec) throw new Error(`${file}: no ${FILE_PATH} on its device`);
  spec.generator.sizeBytes = sizeBytes;
  fleet.options = { ...fleet.options, getFileMaxBytes: Math.max(3 * 1024 ** 3, sizeBytes) };
  return parseFleet(fleet, file);
}
