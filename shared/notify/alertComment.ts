import { capText } from './plainText.js';
import { outcomeOf, type Notification } from './notification.js';

/**
 * The comment written on the Defender alert that triggered a run, when the
 * run ends: what ran, each device's outcome, and each evidence blob with its
 * SHA-256. Plain text (texts from outside are already single plain lines),
 * at most `maxChars` characters, ending with where the rest is when cut.
 * Undefined for a notification that is not a run's end.
 */
export function alertComment(notification: Notification, limits: { maxChars: number; maxDevices: number }): string | undefined {
  if (notification.kind !== 'run-ended') return undefined;
  const { run, devices } = notification;
  const lines = [
    `MDE Live Response responder: run ${run.runId} ended.`,
    `Playbook ${run.playbook.name}@${run.playbook.version} (content sha256 ${run.playbook.contentSha256}).`,
  ];
  for (const device of devices.slice(0, limits.maxDevices)) {
    const name = device.deviceName === undefined ? device.deviceId : `${device.deviceName} (${device.deviceId})`;
    lines.push(`Device ${name}: ${outcomeOf(device)}${device.lastError === undefined ? '' : ` - ${device.lastError}`}`);
    for (const e of device.evidence) {
      const original = e.originalSha256 === undefined ? '' : `, original sha256 ${e.originalSha256}`;
      lines.push(`  evidence ${e.blobName} (${e.sizeBytes} bytes) sha256 ${e.sha256}${original}`);
    }
    for (const f of device.evidenceFailed) lines.push(`  not collected: command ${f.commandIndex}: ${f.reason}`);
  }
  if (devices.length > limits.maxDevices) lines.push(`${devices.length - limits.maxDevices} more device(s).`);
  for (const r of run.refused.slice(0, limits.maxDevices)) lines.push(`Refused ${r.deviceId}: ${r.reason}`);
  return capText(lines.join('\n'), limits.maxChars, `\n... (cut; the whole run: GET /api/runs/${run.runId})`);
}
