import { describe, expect, it } from 'vitest';
import { formatPeerReport, goalMet, PEER_GOAL, tally, type PeerMeasured } from '../../../bench/peer/report.js';

const measured = (over: Partial<PeerMeasured>): PeerMeasured => ({
  name: 'x',
  devices: 200,
  collected: 200,
  makespanMs: 180 * 60_000,
  throttled429: 0,
  calls: 1_000,
  actionsCreated: 200,
  statusCallsPerAction: 2.5,
  leftOpen: 0,
  gaveUp: false,
  outcomes: { ended: 200 },
  ...over,
});

describe('the peer benchmark report', () => {
  it('meets the goal only when ours collected every device and left nothing Pending', () => {
    expect(goalMet(measured({}))).toBe(true);
    expect(goalMet(measured({ collected: 199 }))).toBe(false);
    expect(goalMet(measured({ leftOpen: 1 }))).toBe(false);
    expect(goalMet(measured({ gaveUp: true }))).toBe(false);
  });

  it('prints both contenders side by side with the goal and its verdict', () => {
    const text = formatPeerReport({
      workload: { devices: 200, offlineShare: 0.2, offlineUntilMaxMs: 3 * 3_600_000 },
      timeScale: 60,
      profile: 'lenient',
      peerInvocations: 10,
      ours: measured({ name: 'ours' }),
      peer: measured({
        name: 'peer',
        collected: 79,
        leftOpen: 21,
        outcomes: tally(['collected', 'gaveUp', 'collected']),
        callersAnswered: { answered: 0, invocations: 10 },
      }),
    });
    expect(text).toMatch(/devices collected\s+200 \/ 200\s+79 \/ 200/);
    expect(text).toMatch(/actions left Pending at the end\s+0\s+21/);
    expect(text).toContain('peer by outcome: collected 2, gaveUp 1');
    expect(text).toContain('(within 230 s): 0 of 10');
    expect(text).toContain(`goal: ${PEER_GOAL}`);
    expect(text).toContain('ours: 200 of 200 collected, 0 left Pending: met');
  });
});
