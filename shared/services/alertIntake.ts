import { parseAlert } from '../alerts/parseAlert.js';
import type { DeliveryInfo } from '../bus/port.js';
import { selectPlaybook, matchReasons } from '../playbooks/match.js';
import { alertRunId } from '../runs/ids.js';
import { describeIssues } from '../validation.js';
import type { Deps } from './deps.js';
import { planRun, startRun } from './startRun.js';

export type AlertOutcome =
  | { kind: 'dead-lettered'; reason: string }
  | { kind: 'no-playbook'; alertId: string; reasons: Record<string, string[]> }
  | { kind: 'started'; alertId: string; runIds: string[]; created: boolean[] };

/**
 * One alert in: normalise it, pick the playbook that answers it, start one
 * run per alert device. A malformed alert is dead-lettered with the reason and
 * causes no Defender call. The run id is derived from (alert, playbook,
 * device), so the same alert delivered again starts nothing new.
 */
export async function handleAlertMessage(deps: Deps, body: unknown, delivery: DeliveryInfo): Promise<AlertOutcome> {
  const parsed = parseAlert(body);
  if (!parsed.ok) {
    const description = `malformed alert: ${describeIssues(parsed.errors)}`;
    await deps.bus.deadLetter('alerts', body, { reason: 'MalformedAlert', description, originalMessageId: delivery.messageId });
    deps.logger.log('warn', 'alert dead-lettered', { messageId: delivery.messageId, reason: description });
    return { kind: 'dead-lettered', reason: description };
  }
  const alert = parsed.value;
  const chosen = selectPlaybook(deps.playbooks, alert);
  if (!chosen) {
    const reasons = Object.fromEntries(deps.playbooks.map((p) => [p.playbook.name, matchReasons(p.playbook, alert)]));
    deps.logger.log('info', 'no playbook answers this alert', { alertId: alert.id, title: alert.title });
    return { kind: 'no-playbook', alertId: alert.id, reasons };
  }
  const runIds: string[] = [];
  const created: boolean[] = [];
  for (const device of alert.devices) {
    const runId = alertRunId(alert.id, chosen.playbook.name, device.id);
    const plan = await planRun(deps, {
      runId,
      trigger: { kind: 'alert', alertId: alert.id, alertTitle: alert.title },
      playbook: chosen,
      targets: [{ id: device.id, name: device.name }],
      alert,
    });
    const started = await startRun(deps, plan);
    runIds.push(runId);
    created.push(started.created);
  }
  return { kind: 'started', alertId: alert.id, runIds, created };
}
