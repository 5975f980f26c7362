import type { Alert } from '../../alerts/alert.js';
import { matchReasons, selectPlaybook } from '../../playbooks/match.js';
import type { LoadedPlaybook } from '../../playbooks/schema.js';

/**
 * Whether a streamed alert should wait for more evidence rows before it is
 * answered: on one of its devices, a playbook that would rank above the
 * one chosen now (or the only one) fails only for want of the process or
 * file evidence it requires. Judged on the alert's own device facts: a
 * playbook that also needs the directory's (tags, OS) does not hold the
 * alert back. The wait ends with the quiet period.
 */
export function awaitsEvidence(playbooks: readonly LoadedPlaybook[], alert: Alert): boolean {
  return alert.devices.some((device) => {
    const facts = { id: device.id, name: device.name, tags: device.tags, osPlatform: device.osPlatform };
    const chosen = selectPlaybook(playbooks, alert, facts)?.playbook.priority ?? Number.NEGATIVE_INFINITY;
    const withEvidence: Alert = {
      ...alert,
      processes: [...alert.processes, { deviceId: device.id }],
      files: [...alert.files, { deviceId: device.id }],
    };
    return playbooks.some(
      (p) =>
        p.playbook.priority > chosen &&
        p.playbook.when.requires.length > 0 &&
        matchReasons(p.playbook, alert, facts).length > 0 &&
        matchReasons(p.playbook, withEvidence, facts).length === 0,
    );
  });
}
