import { describe, expect, it } from 'vitest';
import { benchOptions, diskNeededBytes, goalsFor } from '../../../bench/evidence/options.js';

const MiB = 2 ** 20;
const GiB = 2 ** 30;

describe('the evidence benchmark command line', () => {
  it('collects one 3 GiB file by default, as before --concurrent existed', () => {
    expect(benchOptions({})).toEqual({ sizeBytes: 3 * GiB, concurrent: 1, simulator: 'process', repeat: 1, json: false });
  });

  it('reads --concurrent, --size, --repeat and --simulator', () => {
    expect(benchOptions({ concurrent: '8', size: '1GB', repeat: '2', simulator: 'in-process', json: true })).toEqual({
      sizeBytes: GiB,
      concurrent: 8,
      simulator: 'in-process',
      repeat: 2,
      json: true,
    });
  });

  it.each([
    [{ concurrent: '0' }, '--concurrent: expected a whole number of files from 1 to 64, got 0'],
    [{ concurrent: '65' }, '--concurrent: expected a whole number of files from 1 to 64, got 65'],
    [{ concurrent: '2.5' }, '--concurrent: expected a whole number of files from 1 to 64, got 2.5'],
    [{ concurrent: 'eight' }, '--concurrent: expected a whole number of files from 1 to 64, got eight'],
    [{ repeat: '0' }, '--repeat: expected a whole number of rounds, got 0'],
    [{ simulator: 'remote' }, '--simulator: expected in-process or process, got remote'],
    [{ size: 'big' }, '--size: expected a size like 3GB'],
  ])('refuses %o, naming the option', (values, message) => {
    expect(() => benchOptions(values)).toThrow(message);
  });

  it('judges one file against 150 MiB of peak RSS and several at once against 250 MiB, both at 0.8 of the slower baseline', () => {
    expect(goalsFor(1)).toEqual({ maxPeakRssBytes: 150 * MiB, minRatio: 0.8 });
    expect(goalsFor(8)).toEqual({ maxPeakRssBytes: 250 * MiB, minRatio: 0.8 });
  });

  it('needs 3.2 x the size of free disk for one file, and 2.2 x more for each file at once', () => {
    expect(diskNeededBytes(GiB, 1)).toBeCloseTo(3.2 * GiB);
    expect(diskNeededBytes(GiB, 8)).toBeCloseTo(18.6 * GiB);
  });
});
