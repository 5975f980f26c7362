import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FleetError, loadFleet, parseFleet } from '../../../simulator/index.js';
import { DEMO_FLEET_PATH, DEVICE } from '../../helpers/simulator.js';

const device = { id: 'a'.repeat(40), computerDnsName: 'a.contoso.local' };

function issuesOf(json: unknown): { path: string; message: string }[] {
  try {
    parseFleet(json, 'test.json');
  } catch (error) {
    if (error instanceof FleetError) return [...error.issues];
    throw error;
  }
  return [];
}

describe('fleet file validation', () => {
  it('fills documented defaults', () => {
    // Act
    const fleet = parseFleet({ devices: [device] });
    // Assess
    expect(fleet.options.liveResponseCallsPerMinute).toBe(10);
    expect(fleet.options.maxConcurrentSessions).toBe(25);
    expect(fleet.options.offlineQueueMs).toBe(3 * 24 * 3_600_000);
    expect(fleet.options.downloadLinkTtlMs).toBe(30 * 60_000);
    expect(fleet.devices[0]?.availability).toBe('always');
  });

  it.each([
    [{ devices: [{ ...device, id: 'xyz' }] }, 'devices[0].id', /40 lower-case hexadecimal/],
    [{ devices: [] }, 'devices', /at least one device/],
    [{ devices: [{ ...device, availability: 'sometimes' }] }, 'devices[0].availability', /expected "always"/],
    [
      { devices: [{ ...device, files: { 'C:\\x': { content: 'a', generator: { seed: 1, sizeBytes: 1 } } } }] },
      'devices[0].files["C:\\\\x"]',
      /exactly one/,
    ],
    [
      { devices: [{ ...device, scripts: { 'a.ps1': { durationMs: -1 } } }] },
      'devices[0].scripts["a.ps1"].durationMs',
      /non-negative whole number of milliseconds/,
    ],
    [{ devices: [device, { ...device, computerDnsName: 'b' }] }, 'devices[1].id', /duplicate of devices\[0\]\.id/],
    [
      { devices: [device], portalSessions: [{ deviceId: 'b'.repeat(40), fromMs: 0, untilMs: 10 }] },
      'portalSessions[0].deviceId',
      /expected the id of a device/,
    ],
    [{ devices: [device], options: { maxConcurrentSession: 3 } }, 'options', /Unrecognized key/],
    [{ devices: [device], library: [{ fileName: 'a.ps1' }] }, 'library[0].content', /expected string/],
  ])('names the field and what was expected (%#)', (json, fieldPath, message) => {
    // Act
    const issues = issuesOf(json);
    // Assess
    const issue = issues.find((i) => i.path === fieldPath);
    expect(issue, JSON.stringify(issues)).toBeDefined();
    expect(issue?.message).toMatch(message);
  });

  it('names the file in load errors', async () => {
    // Prepare
    const dir = await mkdtemp(path.join(tmpdir(), 'fleet-'));
    const file = path.join(dir, 'broken.json');
    await writeFile(file, JSON.stringify({ devices: [{ ...device, healthStatus: 'Sleepy' }] }));
    // Act
    const load = loadFleet(file);
    // Assess
    await expect(load).rejects.toThrow(FleetError);
    await expect(load).rejects.toThrow(new RegExp(`${file.replace(/[.\\/]/g, '\\$&')}[\\s\\S]*devices\\[0\\]\\.healthStatus`));
  });

  it('reports malformed JSON with the file name', async () => {
    // Prepare
    const dir = await mkdtemp(path.join(tmpdir(), 'fleet-'));
    const file = path.join(dir, 'bad.json');
    await writeFile(file, '{ "devices": [');
    // Act / Assess
    await expect(loadFleet(file)).rejects.toThrow(/bad\.json[\s\S]*expected JSON/);
  });

  it('loads the demo fleet with the devices the playbooks rely on, a Linux server among them', async () => {
    // Act
    const fleet = await loadFleet(DEMO_FLEET_PATH);
    // Assess
    expect(fleet.devices.map((d) => d.id)).toEqual(expect.arrayContaining(Object.values(DEVICE)));
    expect(fleet.devices.find((d) => d.id === DEVICE.sales)?.availability).toEqual({ offlineUntilMs: 1_200_000 });
    expect(fleet.library.map((f) => f.fileName)).toEqual([
      'Invoke-ProcessDump.ps1',
      'Collect-Triage.ps1',
      'Copy-EvidenceFile.ps1',
      'Export-EventLogs.ps1',
      'collect-evidence-file.sh',
      'collect-triage.sh',
    ]);
    expect(fleet.devices.find((d) => d.id === '5d0a3f6b2e4c7a9b1d3f5e7a9c1b3d5f7e9a1c3b')?.osPlatform).toBe('Linux');
    expect(fleet.devices.find((d) => d.id === DEVICE.dev)?.scripts['Invoke-ProcessDump.ps1']?.fail).toBe(true);
  });
});
