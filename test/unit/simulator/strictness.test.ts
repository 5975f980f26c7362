import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../shared/clock.js';
import { FleetError, parseFleet, startSimulator, STRICTNESS, STRICTNESS_NAMES } from '../../../simulator/index.js';
import { resolveStrictness } from '../../../simulator/strictness.js';

const device = { id: 'a'.repeat(40), computerDnsName: 'a.contoso.local' };

describe('strictness profiles', () => {
  it('gives every choice a different value in the lenient and the strict profile', () => {
    for (const name of STRICTNESS_NAMES) expect(STRICTNESS.strict[name], name).not.toEqual(STRICTNESS.lenient[name]);
  });

  it('takes the lenient profile when the fleet names none', () => {
    expect(resolveStrictness(parseFleet({ devices: [device] }).options)).toEqual(STRICTNESS.lenient);
  });

  it('takes every strict value from profile strict', () => {
    const fleet = parseFleet({ devices: [device], options: { profile: 'strict' } });
    expect(resolveStrictness(fleet.options)).toEqual(STRICTNESS.strict);
  });

  it('lets a setting given on its own override its profile', () => {
    const fleet = parseFleet({ devices: [device], options: { profile: 'strict', pageSize: 0, retryAfter: 'absent' } });
    expect(resolveStrictness(fleet.options)).toEqual({ ...STRICTNESS.strict, pageSize: 0, retryAfter: 'absent' });
  });

  it('refuses an unknown profile naming the field', () => {
    expect(() => parseFleet({ devices: [device], options: { profile: 'paranoid' } }, 'f.json')).toThrow(FleetError);
    expect(() => parseFleet({ devices: [device], options: { profile: 'paranoid' } }, 'f.json')).toThrow(/options\.profile/);
  });

  it('lets startSimulator settings switch a parsed fleet to the strict profile', async () => {
    const sim = await startSimulator({
      fleet: parseFleet({ devices: [device] }),
      clock: new ManualClock(0),
      settings: { profile: 'strict' },
    });
    try {
      expect(sim.profile).toBe('strict');
      expect(sim.strictness).toEqual(STRICTNESS.strict);
    } finally {
      await sim.close();
    }
  });
});
