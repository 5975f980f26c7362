import { DAY_MS, HOUR_MS } from '../shared/clock.js';
import type { DeviceState } from './devices.js';
import type { FilterSchema } from './odata.js';
import type { ValueFormat } from './valueFormats.js';

/** Filterable Machine properties (mde-api.md 6.1). */
export const MACHINE_FILTER: FilterSchema = {
  computerDnsName: 'string',
  id: 'string',
  version: 'string',
  deviceValue: 'string',
  aadDeviceId: 'string',
  machineTags: 'stringArray',
  lastSeen: 'datetime',
  exposureLevel: 'string',
  onboardingStatus: 'string',
  lastIpAddress: 'string',
  healthStatus: 'string',
  osPlatform: 'string',
  riskScore: 'string',
  rbacGroupId: 'number',
};

/** A stable fake private address per device (10.x.y.z from its id). */
function ipOf(device: DeviceState): string {
  const b = Buffer.from(device.id.slice(0, 6), 'hex');
  return `10.${b[0] ?? 0}.${b[1] ?? 0}.${Math.max(1, b[2] ?? 1)}`;
}

/** The Machine entity (mde-api.md 6.3) built from a fleet device. */
export function machineJson(device: DeviceState, startMs: number, format: ValueFormat): Record<string, unknown> {
  const d = device.spec;
  const ip = d.lastIpAddress ?? ipOf(device);
  return {
    id: d.id,
    computerDnsName: d.computerDnsName,
    firstSeen: format.time(startMs - 90 * DAY_MS, d.id),
    lastSeen: format.time(startMs - HOUR_MS, d.id),
    osPlatform: d.osPlatform,
    osVersion: d.osVersion ?? null,
    osProcessor: 'x64',
    version: d.version ?? (device.windows ? '23H2' : null),
    lastIpAddress: ip,
    lastExternalIpAddress: '203.0.113.10',
    agentVersion: '10.8760.26100.1',
    osBuild: null,
    healthStatus: d.healthStatus,
    deviceValue: d.deviceValue,
    onboardingStatus: 'Onboarded',
    rbacGroupId: d.rbacGroupId,
    rbacGroupName: d.rbacGroupName,
    riskScore: d.riskScore,
    exposureLevel: d.exposureLevel,
    isAadJoined: d.aadDeviceId !== undefined && d.aadDeviceId !== null,
    aadDeviceId: d.aadDeviceId ?? null,
    machineTags: [...device.tags],
    defenderAvStatus: 'Updated',
    osArchitecture: '64-bit',
    managedBy: 'Intune',
    managedByStatus: 'Success',
    isPotentialDuplication: false,
    isExcluded: false,
    exclusionReason: null,
    mergedIntoMachineId: null,
    ipAddresses: [{ ipAddress: ip, macAddress: null, type: 'Ethernet', operationalStatus: 'Up' }],
    vmMetadata: null,
  };
}
