import { describe, expect, it } from 'vitest';
import { bindEvidence, joinPath, osOf } from '../../../shared/alerts/alert.js';
import { anAlert, FINANCE } from '../../helpers/alerts.js';

const OTHER = '2a7f0c3e9b1d4c6e8f0a2b4c6d8e0f1a3b5c7d9e';

describe('the OS family of a device', () => {
  it.each([
    ['Windows11', 'windows'],
    ['WindowsServer2022', 'windows'],
    ['Linux', 'linux'],
    ['Ubuntu', 'linux'],
    ['CentOS', 'linux'],
    ['RedHatEnterpriseLinux', 'linux'],
    ['macOS', 'macos'],
    ['MacOS', 'macos'],
    ['iOS', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('reads %s as %s', (platform, os) => {
    expect(osOf(platform)).toBe(os);
  });
});

describe('joining a folder and a file name', () => {
  it.each([
    ['C:\\Temp', 'x.exe', undefined, 'C:\\Temp\\x.exe'],
    ['C:\\', 'x.exe', undefined, 'C:\\x.exe'],
    ['/tmp', 'payload.sh', undefined, '/tmp/payload.sh'],
    ['/tmp/', 'payload.sh', undefined, '/tmp/payload.sh'],
    ['/', 'payload.sh', undefined, '/payload.sh'],
    ['/Users/jdoe/Downloads', 'a.dmg', 'macos', '/Users/jdoe/Downloads/a.dmg'],
    ['/opt/app', 'run', 'linux', '/opt/app/run'],
    ['C:\\Temp', 'x.exe', 'windows', 'C:\\Temp\\x.exe'],
  ] as const)('joins %s and %s (OS %s) as %s', (folder, name, os, path) => {
    expect(joinPath(folder, name, os)).toBe(path);
  });
});

describe('binding evidence to its device', () => {
  it('gives evidence without a device the alert device when the alert names exactly one', () => {
    const bound = bindEvidence(anAlert({ processes: [{ processId: 1 }], files: [{ path: '/tmp/x' }] }));
    expect(bound.processes).toEqual([{ processId: 1, deviceId: FINANCE }]);
    expect(bound.files).toEqual([{ path: '/tmp/x', deviceId: FINANCE }]);
  });

  it('leaves evidence unbound when the alert names several devices', () => {
    const alert = anAlert({ devices: [{ id: FINANCE }, { id: OTHER }], processes: [{ processId: 1 }, { processId: 2, deviceId: OTHER }] });
    expect(bindEvidence(alert).processes).toEqual([{ processId: 1 }, { processId: 2, deviceId: OTHER }]);
  });
});
