import { describe, expect, it } from 'vitest';
import { FleetError, parseFleet } from '../../../simulator/index.js';
import { otherAppCallMs, OtherApps } from '../../../simulator/otherApps.js';

const device = { id: 'a'.repeat(40), computerDnsName: 'a.contoso.local' };
const app = { name: 'tool', liveResponseCallsPerMinute: 4, sessionMs: 1_000 };

function appsOf(otherApps: unknown[]) {
  return parseFleet({ devices: [device], otherApps });
}

function issuesOf(otherApps: unknown[]): { path: string; message: string }[] {
  try {
    appsOf(otherApps);
  } catch (error) {
    if (error instanceof FleetError) return [...error.issues];
    throw error;
  }
  return [];
}

describe("other apps' call schedule", () => {
  it('spaces calls evenly from fromMs and stops before untilMs', () => {
    // Prepare
    const spec = { liveResponseCallsPerMinute: 4, fromMs: 1_000, untilMs: 46_000 };
    // Act
    const times = [0, 1, 2, 3].map((k) => otherAppCallMs(spec, k, 100));
    // Assess
    expect(times).toEqual([1_100, 16_100, 31_100, undefined]);
  });

  it('takes a fraction of a call a minute', () => {
    // Act
    const second = otherAppCallMs({ liveResponseCallsPerMinute: 0.5, fromMs: 0, untilMs: undefined }, 1, 0);
    // Assess
    expect(second).toBe(120_000);
  });

  it('hands out the calls of every app due by now in time order, each once', () => {
    // Prepare
    const fleet = appsOf([app, { ...app, name: 'other', liveResponseCallsPerMinute: 3, fromMs: 5_000 }]);
    const apps = new OtherApps(fleet.otherApps, fleet.options, 0);
    // Act
    const first = [...apps.dueCalls(30_000)].map((c) => [c.app.spec.name, c.atMs]);
    const again = [...apps.dueCalls(30_000)];
    // Assess
    expect(first).toEqual([
      ['tool', 0],
      ['other', 5_000],
      ['tool', 15_000],
      ['other', 25_000],
      ['tool', 30_000],
    ]);
    expect(again).toEqual([]);
  });

  it('gives an app without appId a GUID that depends on its name alone', () => {
    // Prepare
    const fleet = appsOf([app, { ...app, name: 'tool2' }]);
    // Act
    const ids = [
      new OtherApps(fleet.otherApps, fleet.options, 0).byName('tool')?.owner.appId,
      new OtherApps(parseFleet({ devices: [device], otherApps: [app], seed: 9 }).otherApps, fleet.options, 5).byName('tool')?.owner.appId,
      new OtherApps(fleet.otherApps, fleet.options, 0).byName('tool2')?.owner.appId,
    ];
    // Assess
    expect(ids[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(ids[1]).toBe(ids[0]);
    expect(ids[2]).not.toBe(ids[0]);
  });

  it.each([
    [[{ ...app, liveResponseCallsPerMinute: 0 }], 'otherApps[0].liveResponseCallsPerMinute', /too small|above 0/],
    [[{ ...app, sessionMs: -1 }], 'otherApps[0].sessionMs', /milliseconds/],
    [[{ ...app, deviceIds: ['b'.repeat(40)] }], 'otherApps[0].deviceIds[0]', /expected the id of a device/],
    [[{ ...app, fromMs: 10, untilMs: 10 }], 'otherApps[0].untilMs', /greater than fromMs/],
    [[app, app], 'otherApps[1].name', /duplicate of otherApps\[0\]\.name/],
    [[{ ...app, sessionStatus: 'Queued' }], 'otherApps[0].sessionStatus', /InProgress|Pending/],
    [[{ ...app, callsPerMinute: 3 }], 'otherApps[0]', /Unrecognized key/],
  ])('names the field and what was expected (%#)', (otherApps, fieldPath, message) => {
    // Act
    const issues = issuesOf(otherApps);
    // Assess
    const issue = issues.find((i) => i.path === fieldPath);
    expect(issue, JSON.stringify(issues)).toBeDefined();
    expect(issue?.message).toMatch(message);
  });
});
