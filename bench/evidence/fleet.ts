import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseFleet, type Fleet, type FleetInput } from '../../simulator/index.js';
import { benchDevice, FILE_PATH } from './target.js';

type BenchDeviceInput = FleetInput['devices'][number] & { files: Record<string, { generator: { seed: string; sizeBytes: number } }> };

/**
 * The bench fleet (bench/fleets/evidence.json) as `devices` copies of its one
 * device, each holding its own generated file of `sizeBytes`; the
 * simulator's GetFile cap raised if needed.
 */
export function benchFleet(sizeBytes: number, devices = 1): Fleet {
  const file = path.resolve('bench/fleets/evidence.json');
  const fleet = JSON.parse(readFileSync(file, 'utf8')) as FleetInput & { devices: BenchDeviceInput[] };
  const template = fleet.devices[0];
  if (!template?.files[FILE_PATH]) throw new Error(`${file}: no ${FILE_PATH} on its device`);
  fleet.devices = Array.from({ length: devices }, (_, index) => {
    const { id, name, seed } = benchDevice(index);
    return { ...template, id, computerDnsName: name, files: { [FILE_PATH]: { generator: { seed, sizeBytes } } } };
  });
  fleet.options = { ...fleet.options, getFileMaxBytes: Math.max(3 * 1024 ** 3, sizeBytes) };
  return parseFleet(fleet, file);
}
