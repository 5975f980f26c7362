import { createHash } from 'node:crypto';
import type { Alert } from '../../alerts/alert.js';
import type { DeliveryInfo } from '../../bus/port.js';
import type { LoadedPlaybook } from '../../playbooks/schema.js';
import { needsDeviceFacts, type DeviceFacts } from '../../playbooks/match.js';
import { lookUpDevices, type DeviceLookup } from '../directory/lookUp.js';
import type { IntakeDeps } from './deps.js';

/** The message property carrying when an alert first waited for a device missing from the directory. */
export const WAIT_SINCE_PROPERTY = 'directoryWaitSinceMs';

/** Whether answering alerts needs the directory: a playbook matches on device facts or excludes device tags. */
export function needsDirectory(playbooks: readonly LoadedPlaybook[]): boolean {
  return (
    needsDeviceFacts(playbooks) || playbooks.some((p) => p.playbook.triggers.includes('alert') && p.playbook.safety.excludeTags.length > 0)
  );
}

/** The directory's answer for each device of the alert (none asked when no playbook needs it). */
export async function lookUpAlertDevices(deps: IntakeDeps, alert: Alert): Promise<Map<string, DeviceLookup>> {
  if (!needsDirectory(deps.playbooks)) return new Map();
  return lookUpDevices(
    deps,
    alert.devices.map((d) => d.id),
  );
}

export function knownFacts(lookUps: ReadonlyMap<string, DeviceLookup>): DeviceFacts[] {
  return [...lookUps.values()].flatMap((l) => (l.kind === 'known' ? [l.facts] : []));
}

/**
 * An alert with a device missing from the directory (and no look-up left)
 * is sent again by itself, `DEVICE_DIRECTORY_MISS_RETRY_MS` later, by which
 * time a refresh has usually listed the new device; nothing is thrown and no
 * run starts now. Once it has waited `DEVICE_DIRECTORY_MISS_MAX_WAIT_MS`
 * (counted from its first wait, carried in the message) it is answered with
 * what is known: the alert's own facts for matching, and a device whose tags
 * are unknown is refused by any playbook that excludes tags. Returns
 * undefined when the alert is to be answered now.
 */
export async function deferAlert(
  deps: IntakeDeps,
  alert: Alert,
  body: unknown,
  delivery: DeliveryInfo,
  lookUps: ReadonlyMap<string, DeviceLookup>,
): Promise<{ kind: 'deferred'; alertId: string; devices: string[]; retryAtMs: number } | undefined> {
  const waiting = [...lookUps].flatMap(([id, l]) => (l.kind === 'missing' ? [id] : []));
  if (waiting.length === 0) return undefined;
  const nowMs = deps.clock.nowMs();
  const carried = delivery.properties?.[WAIT_SINCE_PROPERTY];
  const sinceMs = typeof carried === 'number' && carried <= nowMs ? carried : nowMs;
  const { missRetryMs, missMaxWaitMs } = deps.config.deviceDirectory;
  if (nowMs - sinceMs >= missMaxWaitMs) {
    deps.logger.log('warn', 'alert waited its longest for devices missing from the device directory; answered with what is known', {
      alertId: alert.id,
      devices: waiting.join(','),
      waitedMs: nowMs - sinceMs,
    });
    return undefined;
  }
  const retryAtMs = nowMs + missRetryMs;
  await deps.bus.send('alerts', {
    body,
    // From the message and the alert: a redelivery of this message defers the alert under the same id (a duplicate).
    messageId: `alert-wait-${createHash('sha256').update(`${delivery.messageId}|${alert.id}`).digest('hex').slice(0, 40)}`,
    notBeforeMs: retryAtMs,
    properties: { [WAIT_SINCE_PROPERTY]: sinceMs },
  });
  deps.logger.log('info', 'alert deferred: its device is not in the device directory yet', {
    alertId: alert.id,
    devices: waiting.join(','),
    retryAtMs,
  });
  return { kind: 'deferred', alertId: alert.id, devices: waiting, retryAtMs };
}
