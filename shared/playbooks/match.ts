import { osOf, severityRank, type Alert } from '../alerts/alert.js';
import { sameSource, techniqueMatches } from '../alerts/sources.js';
import { evidenceOnDevice } from './argumentSources.js';
import { usesDeviceFacts, type Condition } from './conditions.js';
import type { LoadedPlaybook, Playbook } from './schema.js';

/** What is known about the device an alert is answered on (Defender's machine record, else the alert's own). */
export interface DeviceFacts {
  id: string;
  name?: string;
  tags?: string[];
  osPlatform?: string;
}

const TITLE_CHARS = 512;
const lower = (s: string | undefined): string => (s ?? '').toLowerCase();

/** Why a single condition does not hold (empty: it holds). */
function conditionReasons(c: Condition, alert: Alert, device: DeviceFacts | undefined): string[] {
  const reasons: string[] = [];
  if (c.severityAtLeast && severityRank(alert.severity) < severityRank(c.severityAtLeast)) {
    reasons.push(`severity ${alert.severity} is below ${c.severityAtLeast}`);
  }
  if (c.categories && !c.categories.some((x) => lower(x) === lower(alert.category))) {
    reasons.push(`category ${alert.category ?? '(none)'} is not one of ${c.categories.join(', ')}`);
  }
  if (c.titlePattern && !new RegExp(c.titlePattern, 'i').test(alert.title.slice(0, TITLE_CHARS))) {
    reasons.push(`title does not match /${c.titlePattern}/i`);
  }
  if (c.detectionSources && !c.detectionSources.some((x) => sameSource(x, alert.detectionSource, alert.rawDetectionSource, 'detection'))) {
    reasons.push(`detection source ${alert.rawDetectionSource ?? '(none)'} is not one of ${c.detectionSources.join(', ')}`);
  }
  if (c.serviceSources && !c.serviceSources.some((x) => sameSource(x, alert.serviceSource, alert.rawServiceSource, 'service'))) {
    reasons.push(
      `service source ${alert.rawServiceSource ?? alert.serviceSource ?? '(none)'} is not one of ${c.serviceSources.join(', ')}`,
    );
  }
  if (c.mitreTechniques && !c.mitreTechniques.some((w) => alert.mitreTechniques.some((a) => techniqueMatches(w, a)))) {
    reasons.push(`techniques ${alert.mitreTechniques.join(', ') || '(none)'} include none of ${c.mitreTechniques.join(', ')}`);
  }
  if (c.deviceTags) {
    const tags = new Set((device?.tags ?? []).map(lower));
    if (!device?.tags) reasons.push('device tags are unknown');
    else if (!c.deviceTags.some((t) => tags.has(lower(t))))
      reasons.push(`device tags ${device.tags.join(', ') || '(none)'} include none of ${c.deviceTags.join(', ')}`);
  }
  if (c.osPlatforms && !c.osPlatforms.some((o) => lower(o) === lower(device?.osPlatform))) {
    reasons.push(`device OS ${device?.osPlatform ?? '(unknown)'} is not one of ${c.osPlatforms.join(', ')}`);
  }
  if (c.os && !c.os.some((o) => o === osOf(device?.osPlatform))) {
    reasons.push(`device OS ${osOf(device?.osPlatform) ?? '(unknown)'} is not one of ${c.os.join(', ')}`);
  }
  for (const [i, sub] of (c.all ?? []).entries()) reasons.push(...conditionReasons(sub, alert, device).map((r) => `all[${i}]: ${r}`));
  if (c.any && !c.any.some((sub) => conditionReasons(sub, alert, device).length === 0)) {
    reasons.push(`none of any[] holds (${c.any.map((sub) => conditionReasons(sub, alert, device).join(' and ')).join(' | ')})`);
  }
  for (const [i, sub] of (c.none ?? []).entries()) {
    if (conditionReasons(sub, alert, device).length === 0) reasons.push(`none[${i}] holds`);
  }
  return reasons;
}

/** Whether a playbook answers an alert on a device; the reasons it does not, for logs and dry runs. */
export function matchReasons(playbook: Playbook, alert: Alert, device?: DeviceFacts): string[] {
  const reasons: string[] = [];
  const when = playbook.when;
  if (!playbook.triggers.includes('alert')) reasons.push('not triggered by alerts');
  reasons.push(...conditionReasons(when, alert, device));
  for (const kind of when.requires) reasons.push(...evidenceReasons(alert, kind, device));
  return reasons;
}

/** Why the alert has no evidence of a kind on the device (unbound evidence does not count, and says so). */
function evidenceReasons(alert: Alert, kind: 'process' | 'file', device: DeviceFacts | undefined): string[] {
  const items: { deviceId?: string }[] = kind === 'process' ? alert.processes : alert.files;
  if (!device) return items.length === 0 ? [`alert has no ${kind} evidence`] : [];
  const found = evidenceOnDevice(items, device.id, alert, kind);
  if (found && 'unbound' in found) return [found.unbound];
  return found ? [] : [`alert has no ${kind} evidence on this device`];
}

/** The playbook that answers an alert on a device: the highest priority among those that match (then by name). */
export function selectPlaybook(playbooks: readonly LoadedPlaybook[], alert: Alert, device?: DeviceFacts): LoadedPlaybook | undefined {
  return playbooks
    .filter((p) => matchReasons(p.playbook, alert, device).length === 0)
    .sort((a, b) => b.playbook.priority - a.playbook.priority || a.playbook.name.localeCompare(b.playbook.name))[0];
}

/** Whether choosing among these playbooks needs Defender's record of the device (tags, OS). */
export function needsDeviceFacts(playbooks: readonly LoadedPlaybook[]): boolean {
  return playbooks.some((p) => p.playbook.triggers.includes('alert') && usesDeviceFacts(p.playbook.when));
}
