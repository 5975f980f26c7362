import { severityRank, type Alert } from '../alerts/alert.js';
import type { LoadedPlaybook, Playbook } from './schema.js';

/** Whether a playbook's `when` holds for an alert; the reasons it does not, for logs and dry runs. */
export function matchReasons(playbook: Playbook, alert: Alert): string[] {
  const reasons: string[] = [];
  const when = playbook.when;
  if (!playbook.triggers.includes('alert')) reasons.push('not triggered by alerts');
  if (when.severityAtLeast && severityRank(alert.severity) < severityRank(when.severityAtLeast)) {
    reasons.push(`severity ${alert.severity} is below ${when.severityAtLeast}`);
  }
  if (when.categories && !when.categories.some((c) => c.toLowerCase() === (alert.category ?? '').toLowerCase())) {
    reasons.push(`category ${alert.category ?? '(none)'} is not one of ${when.categories.join(', ')}`);
  }
  if (when.titlePattern && !new RegExp(when.titlePattern, 'i').test(alert.title)) {
    reasons.push(`title does not match /${when.titlePattern}/i`);
  }
  if (when.requires.includes('process') && alert.processes.length === 0) reasons.push('alert has no process evidence');
  if (when.requires.includes('file') && alert.files.length === 0) reasons.push('alert has no file evidence');
  return reasons;
}

/** The playbook that answers an alert: the highest priority among those that match (then by name). */
export function selectPlaybook(playbooks: readonly LoadedPlaybook[], alert: Alert): LoadedPlaybook | undefined {
  return playbooks
    .filter((p) => matchReasons(p.playbook, alert).length === 0)
    .sort((a, b) => b.playbook.priority - a.playbook.priority || a.playbook.name.localeCompare(b.playbook.name))[0];
}
