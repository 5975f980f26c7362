import { describe, expect, it } from 'vitest';
import { applyPenalty, decideAdmission, emptyPacingState, releaseSession, type PacingLimits, type PacingState } from '../../../shared/pacing/admission.js';

const limits: PacingLimits = {
  liveResponseCalls: 10,
  liveResponseWindowMs: 60_000,
  maxSessions: 25,
  sessionHoldMs: 3 * 24 * 3_600_000,
  deviceBusyRetryMs: 120_000,
  sessionsFullRetryMs: 60_000,
};
const T0 = 1_000_000;

function stateWith(calls: number[], sessions: number, penaltyUntilMs = 0): PacingState {
  const held: PacingState['sessions'] = {};
  for (let i = 0; i < sessions; i++) held[`dev${i}`] = { runId: `run${i}`, expiresMs: T0 + 10_000_000 };
  return { callTimesMs: calls, penaltyUntilMs, sessions: held };
}

describe('admission decision', () => {
  it.each([
    { name: 'admits on an empty state', state: emptyPacingState(), device: 'new', admit: true },
    { name: 'admits the tenth call in a window', state: stateWith(Array.from({ length: 9 }, (_, i) => T0 - 50_000 + i), 0), device: 'new', admit: true },
    { name: 'refuses the eleventh call until the oldest leaves the window', state: stateWith(Array.from({ length: 10 }, (_, i) => T0 - 50_000 + i * 1000), 0), device: 'new', admit: false, reason: 'rate', waitMs: 10_000 },
    { name: 'ignores calls older than the window', state: stateWith(Array.from({ length: 10 }, (_, i) => T0 - 70_000 + i), 0), device: 'new', admit: true },
    { name: 'refuses a 26th session', state: stateWith([], 25), device: 'new', admit: false, reason: 'sessions-full', waitMs: 60_000 },
    { name: 'refuses a device another run holds', state: stateWith([], 3), device: 'dev1', admit: false, reason: 'device-busy', waitMs: 120_000 },
    { name: 'refuses while a 429 penalty lasts', state: stateWith([], 0, T0 + 7_000), device: 'new', admit: false, reason: 'penalty', waitMs: 7_000 },
  ])('$name', ({ state, device, admit, reason, waitMs }) => {
    const decision = decideAdmission(state, T0, limits, { deviceId: device, runId: 'mine' });
    expect(decision.admit).toBe(admit);
    if (!decision.admit) {
      expect(decision.reason).toBe(reason);
      expect(decision.waitMs).toBe(waitMs);
    }
  });

  it('records the call and holds the device when it admits', () => {
    const decision = decideAdmission(emptyPacingState(), T0, limits, { deviceId: 'd', runId: 'r' });
    if (!decision.admit) throw new Error('expected admission');
    expect(decision.state.callTimesMs).toEqual([T0]);
    expect(decision.state.sessions.d).toEqual({ runId: 'r', expiresMs: T0 + limits.sessionHoldMs });
  });

  it('lets the same run retry on a device it already holds', () => {
    const state = { ...emptyPacingState(), sessions: { d: { runId: 'r', expiresMs: T0 + 1000 } } };
    expect(decideAdmission(state, T0, limits, { deviceId: 'd', runId: 'r' }).admit).toBe(true);
  });

  it('frees capacity a crashed worker held once the hold expires', () => {
    const state = stateWith([], 25);
    for (const hold of Object.values(state.sessions)) hold.expiresMs = T0 - 1;
    expect(decideAdmission(state, T0, limits, { deviceId: 'new', runId: 'r' }).admit).toBe(true);
  });

  it('releases only the hold of the run that owns it', () => {
    const state = stateWith([], 2);
    expect(releaseSession(state, 'dev0', 'other').sessions.dev0).toBeDefined();
    expect(releaseSession(state, 'dev0', 'run0').sessions.dev0).toBeUndefined();
  });

  it('never shortens a penalty already in force', () => {
    expect(applyPenalty(applyPenalty(emptyPacingState(), T0 + 5000), T0 + 1000).penaltyUntilMs).toBe(T0 + 5000);
  });
});
