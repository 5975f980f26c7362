/** The bench fleet's file path (bench/fleets/evidence.json): the same path on every device. */
export const FILE_PATH = 'C:\\Bench\\memory.dmp';

/** The benchmark's devices, one per concurrent collection; the first is the fleet file's device. */
const DEVICE_ID_PREFIX = 'be0c4b3e5a0f4d2e8c6a1b3d5f7e9a0b1c2d3e';

/** Device `index` (0-based) of the bench fleet: its id, and the seed of its file (each device's file differs). */
export function benchDevice(index: number): { id: string; name: string; seed: string } {
  const suffix = index.toString(16).padStart(2, '0');
  return {
    id: `${DEVICE_ID_PREFIX}${suffix}`,
    name: `bench-${String(index + 1).padStart(2, '0')}.contoso.local`,
    seed: index === 0 ? 'bench-evidence' : `bench-evidence-${index + 1}`,
  };
}

/** The most devices (concurrent collections) the bench fleet holds: two hex digits of device id. */
export const MAX_BENCH_DEVICES = 64;
